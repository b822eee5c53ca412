/* SPDX-License-Identifier: MIT */
/* --dns, --dns-search, --dns-option, --add-host, --mac-address (netopts.h) */
#include "net/netopts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static bool is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

/* one word of printable ASCII: nothing that could start a line of its own
 * in /etc/hosts or /etc/resolv.conf */
static bool word_ok(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (!len || len > max)
		return false;
	for (; *s; s++)
		if (!isascii(*s) || !isgraph(*s) || *s == '#' || *s == ';')
			return false;
	return true;
}

int netopt_dns(const char *s, struct hm_err *e)
{
	if (!is_ip(s))
		return hm_failx(e, HM_EXIT_FAIL, "--dns %s: not an IP address",
				s);
	return 0;
}

int netopt_dns_search(const char *s, struct hm_err *e)
{
	if (!word_ok(s, 253))
		return hm_failx(e, HM_EXIT_FAIL,
				"--dns-search: \"%s\" is not a valid domain",
				s);
	return 0;
}

int netopt_alias(const char *s, struct hm_err *e)
{
	if (!word_ok(s, 253))
		return hm_failx(e, HM_EXIT_FAIL,
				"--network-alias: \"%s\" is not a valid name",
				s);
	return 0;
}

int netopt_dns_option(const char *s, struct hm_err *e)
{
	if (!word_ok(s, 255))
		return hm_failx(e, HM_EXIT_FAIL,
				"--dns-option: \"%s\" is not one resolver "
				"option (ndots:2, edns0, ...)",
				s);
	return 0;
}

int netopt_add_host(const char *s, struct hm_err *e)
{
	cleanup_free char *copy = xstrdup(s);
	char *ip = strchr(copy, ':');

	if (ip)
		*ip++ = '\0';
	if (!ip || !word_ok(copy, 253) || strchr(copy, ':'))
		return hm_failx(e, HM_EXIT_FAIL,
				"--add-host: \"%s\": expected HOST:IP", s);
	if (strcmp(ip, "host-gateway") && !is_ip(ip))
		return hm_failx(e, HM_EXIT_FAIL,
				"--add-host %s: invalid IP address \"%s\"", s,
				ip);
	return 0;
}

int netopt_mac(const char *s, char out[18], struct hm_err *e)
{
	unsigned b[6] = {0};
	char sep = strlen(s) == 17 ? s[2] : 0;
	bool ok = sep == ':' || sep == '-';

	for (int i = 0; ok && i < 6; i++) {
		const char *p = s + 3 * i;

		ok = isxdigit((unsigned char)p[0]) &&
		     isxdigit((unsigned char)p[1]) && (i == 5 || p[2] == sep);
		if (ok)
			sscanf(p, "%2x", &b[i]);
	}
	if (!ok)
		return hm_failx(e, HM_EXIT_FAIL,
				"--mac-address %s: expected six hex pairs, "
				"as 02:42:ac:11:00:02",
				s);
	if (b[0] & 1)
		return hm_failx(e, HM_EXIT_FAIL,
				"--mac-address %s: a multicast address: the "
				"first byte must be even",
				s);
	if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
		return hm_failx(e, HM_EXIT_FAIL,
				"--mac-address %s: the zero address", s);
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0] & 0xff,
		 b[1] & 0xff, b[2] & 0xff, b[3] & 0xff, b[4] & 0xff,
		 b[5] & 0xff);
	return 0;
}

bool netopt_cidr_overlap(uint32_t a, unsigned alen, uint32_t b, unsigned blen)
{
	unsigned len = alen < blen ? alen : blen;
	uint32_t mask = len ? ~0U << (32 - len) : 0;

	return (a & mask) == (b & mask);
}

char *netopts_hosts_lines(const struct hm_netconf *nc, const char *gateway)
{
	char *out = xstrdup("");

	for (size_t i = 0; nc->add_hosts && nc->add_hosts[i]; i++) {
		cleanup_free char *copy = xstrdup(nc->add_hosts[i]);
		char *ip = strchr(copy, ':'), *old = out;

		if (!ip)
			continue;
		*ip++ = '\0';
		if (!strcmp(ip, "host-gateway"))
			ip = (char *)gateway;
		out = xasprintf("%s%s\t%s\n", old, ip, copy);
		free(old);
	}
	return out;
}

/* ---- /etc/resolv.conf ---- */

static bool replaced(const struct hm_netconf *nc, const char *line)
{
	return (nc->dns && util_has_prefix(line, "nameserver")) ||
	       (nc->dns_search && (util_has_prefix(line, "search") ||
				   util_has_prefix(line, "domain"))) ||
	       (nc->dns_opt && util_has_prefix(line, "options"));
}

static void append(char **out, const char *fmt, const char *s)
{
	char *old = *out;

	*out = xasprintf(fmt, old, s);
	free(old);
}

/* "search a b" from --dns-search ("." alone: no search domains) */
static void put_words(char **out, const char *key, char **v)
{
	if (!v || (v[0] && !strcmp(v[0], ".") && !v[1]))
		return;
	append(out, "%s%s", key);
	for (size_t i = 0; v[i]; i++)
		append(out, "%s %s", v[i]);
	append(out, "%s%s", "\n");
}

char *network_resolv_conf(const struct hm_netconf *nc, const char *forward)
{
	cleanup_free char *host =
	    util_read_file("/etc/resolv.conf", NULL, NULL);
	char *out = xstrdup(""), *line, *save = NULL;

	/* the forwarder stands for the host's nameservers, loopback too */
	if (forward && !nc->dns)
		append(&out, "%snameserver %s\n", forward);
	for (line = host ? strtok_r(host, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (replaced(nc, line) ||
		    (forward && util_has_prefix(line, "nameserver")))
			continue;
		if (util_has_prefix(line, "nameserver") &&
		    (strstr(line, " 127.") || strstr(line, " ::1")))
			append(&out, "%s# homo: dropped loopback %s\n", line);
		else
			append(&out, "%s%s\n", line);
	}
	for (size_t i = 0; nc->dns && nc->dns[i]; i++)
		append(&out, "%snameserver %s\n", nc->dns[i]);
	put_words(&out, "search", nc->dns_search);
	put_words(&out, "options", nc->dns_opt);
	return out;
}

/* ---- JSON ---- */

static void put_strv(json_t *j, const char *key, char **v)
{
	json_t *a;

	if (!v)
		return;
	a = json_array();
	for (size_t i = 0; v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	json_object_set_new(j, key, a);
}

static char **get_strv(json_t *j, const char *key)
{
	json_t *a = json_object_get(j, key), *x;
	char **v;
	size_t i;

	if (!json_is_array(a))
		return NULL;
	v = xcalloc(1, sizeof(*v));
	json_array_foreach(a, i, x)
	{
		if (json_is_string(x))
			v = strv_push(v, json_string_value(x));
	}
	return v;
}

void netopts_to_json(const struct hm_netconf *nc, json_t *j)
{
	put_strv(j, "dns", nc->dns);
	put_strv(j, "dns_search", nc->dns_search);
	put_strv(j, "dns_options", nc->dns_opt);
	put_strv(j, "add_hosts", nc->add_hosts);
	put_strv(j, "aliases", nc->aliases);
	if (nc->mac_address)
		json_object_set_new(j, "mac_address",
				    json_string(nc->mac_address));
	if (nc->network)
		json_object_set_new(j, "network_name",
				    json_string(nc->network));
	if (nc->join)
		json_object_set_new(j, "join", json_string(nc->join));
}

void netopts_from_json(json_t *j, struct hm_netconf *nc)
{
	const char *mac = json_string_value(json_object_get(j, "mac_address"));
	const char *net;
	char m[18];

	nc->dns = get_strv(j, "dns");
	nc->dns_search = get_strv(j, "dns_search");
	nc->dns_opt = get_strv(j, "dns_options");
	nc->add_hosts = get_strv(j, "add_hosts");
	nc->aliases = get_strv(j, "aliases");
	net = json_string_value(json_object_get(j, "network_name"));
	nc->network = net ? xstrdup(net) : NULL;
	net = json_string_value(json_object_get(j, "join"));
	nc->join = net ? xstrdup(net) : NULL;
	/* checked again: it becomes a link's address and a guard's rule */
	if (mac && netopt_mac(mac, m, NULL) == 0)
		nc->mac_address = xstrdup(m);
}

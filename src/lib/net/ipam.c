/* SPDX-License-Identifier: MIT */
/*
 * Address management (net/ipam.json; docs/network.md). Pure: the caller holds
 * the store lock, so "lowest free" can never hand one address out twice.
 */
#include "net/ipam.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/number.h"
#include "base/util.h"
#include "store/store.h"

/* ---- published ports ---- */

const char *port_proto_name(const struct hm_port *p)
{
	return p->proto == IPPROTO_UDP ? "udp" : "tcp";
}

json_t *port_to_json(const struct hm_port *p)
{
	char ip[16];
	json_t *j;

	ipam_addr_str(p->host_ip, ip);
	j = json_pack("{s:s, s:i, s:i, s:s}", "HostIp", ip, "HostPort",
		      (int)p->host_port, "ContainerPort", (int)p->ctr_port,
		      "Protocol", port_proto_name(p));
	if (p->host_end)
		json_object_set_new(j, "HostPortEnd",
				    json_integer(p->host_end));
	return j;
}

int port_from_json(json_t *j, struct hm_port *p)
{
	const char *ip = json_string_value(json_object_get(j, "HostIp"));
	const char *proto = json_string_value(json_object_get(j, "Protocol"));
	json_int_t hp = json_integer_value(json_object_get(j, "HostPort"));
	json_int_t cp = json_integer_value(json_object_get(j, "ContainerPort"));

	json_int_t he = json_integer_value(json_object_get(j, "HostPortEnd"));

	/* HostPort 0: a random one at each start (-p CTRPORT, -P) */
	memset(p, 0, sizeof(*p));
	if (!ip || !proto || ipam_addr_parse(ip, &p->host_ip) < 0 || hp < 0 ||
	    hp > 65535 || cp < 1 || cp > 65535 || (he && (he <= hp)) ||
	    he > 65535 || (strcmp(proto, "tcp") && strcmp(proto, "udp")))
		return -1;
	p->host_port = (uint16_t)hp;
	p->host_end = (uint16_t)he;
	p->ctr_port = (uint16_t)cp;
	p->proto = strcmp(proto, "udp") ? IPPROTO_TCP : IPPROTO_UDP;
	return 0;
}

bool ports_conflict(const struct hm_port *a, const struct hm_port *b)
{
	/* 0: random, and a range: the kernel gives a free one at the bind */
	if (!a->host_port || !b->host_port || a->host_end || b->host_end)
		return false;
	return a->proto == b->proto && a->host_port == b->host_port &&
	       (a->host_ip == b->host_ip || !a->host_ip || !b->host_ip);
}

/* ---- addresses ---- */

int ipam_addr_parse(const char *s, uint32_t *out)
{
	struct in_addr a;

	/* inet_pton takes exactly a dotted quad: no "10.1", no octal */
	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

void ipam_addr_str(uint32_t addr, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
}

void ipam_mac(uint32_t addr, char out[18])
{
	snprintf(out, 18, "02:42:%02x:%02x:%02x:%02x", addr >> 24,
		 (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
}

static uint32_t host_mask(unsigned prefix)
{
	return prefix ? ~(~0U << (32 - prefix)) : ~0U;
}

int ipam_init(struct ipam *p, const char *cidr, struct hm_err *e)
{
	cleanup_free char *copy = xstrdup(cidr);
	char *slash = strchr(copy, '/');
	uint64_t prefix;

	memset(p, 0, sizeof(*p));
	if (!slash)
		goto bad;
	*slash++ = '\0';
	if (num_parse_u64(slash, 8, 30, &prefix) < 0 ||
	    ipam_addr_parse(copy, &p->net) < 0)
		goto bad;
	p->prefix = (unsigned)prefix;
	if (p->net & host_mask(p->prefix))
		return hm_failx(e, HM_EXIT_FAIL,
				"subnet %s: the address has host bits set",
				cidr);
	return 0;
bad:
	return hm_failx(e, HM_EXIT_FAIL,
			"subnet \"%s\": expected A.B.C.D/N with N from 8 to 30",
			cidr);
}

static void entry_free(struct ipam_entry *en)
{
	free(en->ports);
	en->ports = NULL;
	en->nports = 0;
	strv_free(en->names);
	en->names = NULL;
}

void ipam_free(struct ipam *p)
{
	for (size_t i = 0; i < p->n; i++)
		entry_free(&p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

uint32_t ipam_gateway(const struct ipam *p)
{
	return p->gw ? p->gw : p->net + 1;
}

int ipam_set_gateway(struct ipam *p, uint32_t gw)
{
	uint32_t bcast = p->net | host_mask(p->prefix);

	if ((gw & ~host_mask(p->prefix)) != p->net || gw == p->net ||
	    gw == bcast)
		return -1;
	p->gw = gw;
	return 0;
}

void ipam_cidr_str(const struct ipam *p, char out[20])
{
	char a[16];

	ipam_addr_str(p->net, a);
	snprintf(out, 20, "%s/%u", a, p->prefix);
}

/* ---- JSON ---- */

json_t *ipam_to_json(const struct ipam *p)
{
	json_t *all = json_array();
	char cidr[20], gw[16];

	for (size_t i = 0; i < p->n; i++) {
		json_t *ports = json_array();
		char a[16];

		for (size_t k = 0; k < p->v[i].nports; k++)
			json_array_append_new(ports,
					      port_to_json(&p->v[i].ports[k]));
		json_t *en;

		ipam_addr_str(p->v[i].addr, a);
		en = json_pack("{s:s, s:s, s:o, s:{s:i, s:I}}", "address", a,
			       "id", p->v[i].id, "ports", ports, "owner", "pid",
			       (int)p->v[i].owner.pid, "start",
			       (json_int_t)p->v[i].owner.start);
		if (p->v[i].names) {
			json_t *names = json_array();

			for (size_t k = 0; p->v[i].names[k]; k++)
				json_array_append_new(
				    names, json_string(p->v[i].names[k]));
			json_object_set_new(en, "names", names);
		}
		json_array_append_new(all, en);
	}
	ipam_cidr_str(p, cidr);
	ipam_addr_str(ipam_gateway(p), gw);
	return json_pack("{s:s, s:s, s:o}", "subnet", cidr, "gateway", gw,
			 "allocations", all);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct ipam_entry *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* a missing or malformed owner is unknown (0): held while its container is
 * recorded */
static void owner_from_json(json_t *o, struct ipam_owner *owner)
{
	json_int_t pid = json_integer_value(json_object_get(o, "pid"));
	json_int_t start = json_integer_value(json_object_get(o, "start"));

	*owner = (struct ipam_owner){0};
	if (pid > 0 && pid <= INT32_MAX && start > 0) {
		owner->pid = (pid_t)pid;
		owner->start = (unsigned long long)start;
	}
}

/* the names other containers of its network know it by (hosts lines:
 * one word each) */
static void names_from_json(json_t *a, struct ipam_entry *en)
{
	json_t *x;
	size_t i;

	json_array_foreach(a, i, x)
	{
		const char *s = json_string_value(x);

		if (s && *s && !strpbrk(s, " \t\n\r#") && strlen(s) < 256)
			en->names = strv_push(en->names, s);
	}
}

int ipam_from_json(json_t *j, struct ipam *p, struct hm_err *e)
{
	const char *cidr = json_string_value(json_object_get(j, "subnet"));
	json_t *all = json_object_get(j, "allocations"), *x, *pj;
	size_t i, k;

	const char *gw = json_string_value(json_object_get(j, "gateway"));
	uint32_t g;

	if (!cidr)
		return hm_failx(e, HM_EXIT_FAIL, "no subnet");
	if (ipam_init(p, cidr, e) < 0)
		return -1;
	if (gw && (ipam_addr_parse(gw, &g) < 0 || ipam_set_gateway(p, g) < 0))
		return hm_failx(e, HM_EXIT_FAIL, "bad gateway \"%s\"", gw);
	p->v = xcalloc(json_array_size(all) + 1, sizeof(*p->v));
	json_array_foreach(all, i, x)
	{
		struct ipam_entry *en = &p->v[p->n];
		const char *a =
		    json_string_value(json_object_get(x, "address"));
		const char *id = json_string_value(json_object_get(x, "id"));
		json_t *ports = json_object_get(x, "ports");

		if (!a || !id || strlen(id) != 64 ||
		    ipam_addr_parse(a, &en->addr) < 0 ||
		    (en->addr & ~host_mask(p->prefix)) != p->net) {
			ipam_free(p);
			return hm_failx(e, HM_EXIT_FAIL, "bad allocation #%zu",
					i + 1);
		}
		memcpy(en->id, id, 65);
		owner_from_json(json_object_get(x, "owner"), &en->owner);
		names_from_json(json_object_get(x, "names"), en);
		en->ports =
		    xcalloc(json_array_size(ports) + 1, sizeof(*en->ports));
		json_array_foreach(ports, k, pj)
		{
			if (port_from_json(pj, &en->ports[en->nports]) == 0)
				en->nports++;
		}
		p->n++;
	}
	qsort(p->v, p->n, sizeof(*p->v), cmp_entry);
	return 0;
}

int ipam_load(const char *path, const char *default_cidr, struct ipam *p,
	      struct hm_err *e)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	int r;

	if (!j) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return ipam_init(p, default_cidr, e);
		return hm_fail_json(e, path, jerr.line, jerr.text);
	}
	r = ipam_from_json(j, p, e);
	json_decref(j);
	return r < 0 ? hm_prefix(e, "%s", path) : 0;
}

int ipam_save(const char *path, const struct ipam *p, struct hm_err *e)
{
	cleanup_free char *text =
	    store_json_text(ipam_to_json(p), JSON_INDENT(2), path, e);

	if (!text)
		return -1;
	/* not fsync'd: a power cut that loses an update also ends every
	 * container, and the next allocation reclaims what they held */
	return util_write_file_atomic(path, text, strlen(text), false, e);
}

/* ---- allocation ---- */

const struct ipam_entry *ipam_find(const struct ipam *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].id, id))
			return &p->v[i];
	return NULL;
}

int ipam_check_ports(const struct ipam *p, const struct hm_port *ports,
		     size_t nports, struct hm_err *e)
{
	for (size_t k = 0; k < nports; k++) {
		const struct hm_port *a = &ports[k];
		char ip[16];
		bool clash = false;

		for (size_t j = 0; j < k; j++)
			clash |= ports_conflict(a, &ports[j]);
		for (size_t i = 0; i < p->n; i++)
			for (size_t j = 0; j < p->v[i].nports; j++)
				clash |= ports_conflict(a, &p->v[i].ports[j]);
		if (!clash)
			continue;
		ipam_addr_str(a->host_ip, ip);
		/* Docker's words */
		return hm_failx(e, HM_EXIT_FAIL,
				"Bind for %s:%u/%s failed: port is already "
				"allocated",
				ip, a->host_port, port_proto_name(a));
	}
	return 0;
}

/* The lowest host address that is neither network, gateway, broadcast
 * nor taken; entries are sorted, so one walk finds the first gap. */
static uint32_t lowest_free(const struct ipam *p)
{
	uint32_t cand = p->net + 1, gw = ipam_gateway(p);
	uint32_t bcast = p->net | host_mask(p->prefix);

	if (cand == gw)
		cand++;
	for (size_t i = 0; i < p->n && cand < bcast; i++) {
		if (p->v[i].addr < cand)
			continue;
		if (p->v[i].addr > cand)
			break;
		cand++;
		if (cand == gw)
			cand++;
	}
	/* the gateway after the last entry below it */
	if (cand == gw)
		cand++;
	return cand < bcast ? cand : 0;
}

static int check_wanted(const struct ipam *p, uint32_t want, struct hm_err *e)
{
	uint32_t bcast = p->net | host_mask(p->prefix);
	char a[16], cidr[20];

	ipam_addr_str(want, a);
	ipam_cidr_str(p, cidr);
	if ((want & ~host_mask(p->prefix)) != p->net || want == p->net ||
	    want == bcast)
		return hm_failx(e, HM_EXIT_FAIL,
				"--ip %s: not a host address of the bridge "
				"network %s",
				a, cidr);
	if (want == ipam_gateway(p))
		return hm_failx(e, HM_EXIT_FAIL,
				"--ip %s: that is the gateway's address", a);
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].addr == want)
			return hm_failx(e, HM_EXIT_FAIL,
					"--ip %s: address already in use by "
					"container %.12s",
					a, p->v[i].id);
	return 0;
}

int ipam_alloc(struct ipam *p, const char *id, uint32_t want,
	       const struct hm_port *ports, size_t nports,
	       const struct ipam_owner *owner, uint32_t *out, struct hm_err *e)
{
	struct ipam_entry en = {0};
	char cidr[20];

	if (ipam_find(p, id))
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s has an address already", id);
	if (want && check_wanted(p, want, e) < 0)
		return -1;
	if (ipam_check_ports(p, ports, nports, e) < 0)
		return -1;
	en.addr = want ? want : lowest_free(p);
	if (!en.addr) {
		ipam_cidr_str(p, cidr);
		return hm_failx(e, HM_EXIT_FAIL,
				"no free address left in the bridge network %s "
				"(%zu in use): remove stopped containers or "
				"choose a larger subnet",
				cidr, p->n);
	}
	memcpy(en.id, id, 65);
	if (owner)
		en.owner = *owner;
	en.nports = nports;
	en.ports = xcalloc(nports + 1, sizeof(*ports));
	if (nports)
		memcpy(en.ports, ports, nports * sizeof(*ports));
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n++] = en;
	qsort(p->v, p->n, sizeof(*p->v), cmp_entry);
	*out = en.addr;
	return 0;
}

static void remove_at(struct ipam *p, size_t i)
{
	entry_free(&p->v[i]);
	memmove(&p->v[i], &p->v[i + 1], (p->n - i - 1) * sizeof(*p->v));
	p->n--;
}

void ipam_set_names(struct ipam *p, const char *id, char *const *names)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].id, id))
			continue;
		strv_free(p->v[i].names);
		p->v[i].names = NULL;
		for (size_t k = 0; names && names[k]; k++)
			p->v[i].names = strv_push(p->v[i].names, names[k]);
	}
}

bool ipam_release(struct ipam *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].id, id))
			continue;
		remove_at(p, i);
		return true;
	}
	return false;
}

size_t ipam_reclaim(struct ipam *p,
		    bool (*held)(const struct ipam_entry *en, void *arg),
		    void *arg, bool *had_ports)
{
	size_t dropped = 0;

	*had_ports = false;
	for (size_t i = 0; i < p->n;) {
		if (held(&p->v[i], arg)) {
			i++;
			continue;
		}
		*had_ports |= p->v[i].nports > 0;
		remove_at(p, i);
		dropped++;
	}
	return dropped;
}

size_t ipam_duplicates(const struct ipam *p)
{
	size_t n = 0;

	/* sorted by address: a duplicate follows its twin */
	for (size_t i = 1; i < p->n; i++)
		n += p->v[i].addr == p->v[i - 1].addr;
	return n;
}

/* SPDX-License-Identifier: MIT */
#ifndef HOMO_NETOPTS_H
#define HOMO_NETOPTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "net/network.h"

/*
 * The network conveniences of homo run (docs/network.md): --dns,
 * --dns-search, --dns-option, --add-host and --mac-address, checked
 * here, saved with the container's network settings, and written into
 * its /etc/resolv.conf, /etc/hosts and eth0.
 */

/* Each checks one value; -1 with "--OPTION VALUE: why" in @e. */
int netopt_dns(const char *s, struct hm_err *e);
int netopt_dns_search(const char *s, struct hm_err *e);
int netopt_dns_option(const char *s, struct hm_err *e);
int netopt_alias(const char *s, struct hm_err *e);
/** netopt_add_host() - NAME:IP, IP an IPv4 or IPv6 address or host-gateway */
int netopt_add_host(const char *s, struct hm_err *e);
/** netopt_mac() - a unicast MAC, six hex pairs by ':' or '-', into @out
 * (lower case, by ':'). */
int netopt_mac(const char *s, char out[18], struct hm_err *e);

/** netopt_cidr_overlap() - do the two subnets share an address? */
bool netopt_cidr_overlap(uint32_t a, unsigned alen, uint32_t b, unsigned blen);

/** netopts_hosts_lines() - the --add-host lines of /etc/hosts ("" if
 * none); host-gateway is @gateway. malloc'd. */
char *netopts_hosts_lines(const struct hm_netconf *nc, const char *gateway);

/* The options above in the JSON of the network settings, and back. */
void netopts_to_json(const struct hm_netconf *nc, json_t *j);
void netopts_from_json(json_t *j, struct hm_netconf *nc);

#endif

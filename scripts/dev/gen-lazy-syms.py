#!/usr/bin/env python3
"""Regenerate src/lib/base/lazy_syms.h: the functions homo calls in the libraries it
loads on first use (see src/lib/base/lazylib.c). Prototypes come from the installed
headers via gcc -aux-info, so the compiler checks every stub against them.

    scripts/dev/gen-lazy-syms.py > src/lib/base/lazy_syms.h
"""
import re
import subprocess
import sys
import tempfile

LIBS = {
    "LIB_CRYPTO": ["EVP_DigestFinal_ex", "EVP_DigestInit_ex", "EVP_DigestUpdate",
                   "EVP_MD_CTX_free", "EVP_MD_CTX_new", "EVP_sha256"],
    "LIB_CURL": ["curl_easy_cleanup", "curl_easy_init", "curl_easy_perform",
                 "curl_easy_reset",
                 "curl_easy_strerror", "curl_global_init", "curl_slist_append",
                 "curl_slist_free_all", "curl_multi_init", "curl_multi_cleanup",
                 "curl_multi_add_handle", "curl_multi_remove_handle",
                 "curl_multi_perform", "curl_multi_poll", "curl_multi_wakeup",
                 "curl_multi_info_read", "curl_multi_strerror"],
    "LIB_ARCHIVE": """
        archive_errno archive_error_string archive_filter_code archive_filter_name
        archive_read_new archive_read_free archive_read_open archive_read_open_fd
        archive_read_open_memory archive_read_next_header archive_read_data
        archive_read_data_block archive_read_data_skip
        archive_read_support_filter_all archive_read_support_format_all
        archive_read_support_filter_bzip2 archive_read_support_filter_compress
        archive_read_support_filter_gzip archive_read_support_filter_lz4
        archive_read_support_filter_lzip archive_read_support_filter_lzma
        archive_read_support_filter_xz archive_read_support_filter_zstd
        archive_read_support_format_raw archive_read_support_format_tar
        archive_read_disk_new archive_read_disk_set_symlink_physical
        archive_read_disk_set_standard_lookup archive_read_disk_entry_from_file
        archive_write_new archive_write_free archive_write_close archive_write_open
        archive_write_open_fd archive_write_open_filename archive_write_header
        archive_write_data archive_write_data_block archive_write_finish_entry
        archive_write_add_filter archive_write_add_filter_gzip
        archive_write_add_filter_zstd archive_write_add_filter_none
        archive_write_set_format_pax_restricted archive_write_set_format_gnutar
        archive_write_set_format_raw archive_write_set_format_zip
        archive_write_set_bytes_in_last_block archive_write_set_bytes_per_block
        archive_write_set_options
        archive_write_disk_new archive_write_disk_set_options
        archive_entry_new archive_entry_free archive_entry_clear archive_entry_clone
        archive_entry_pathname archive_entry_hardlink archive_entry_symlink
        archive_entry_size archive_entry_uid archive_entry_gid archive_entry_perm
        archive_entry_mode archive_entry_filetype archive_entry_mtime
        archive_entry_rdev archive_entry_size_is_set
        archive_entry_copy_pathname archive_entry_copy_hardlink
        archive_entry_copy_symlink archive_entry_copy_sourcepath
        archive_entry_set_pathname archive_entry_set_hardlink
        archive_entry_set_symlink archive_entry_set_size archive_entry_set_mode
        archive_entry_set_filetype archive_entry_set_perm archive_entry_set_uid
        archive_entry_set_gid archive_entry_set_mtime archive_entry_set_rdev
        archive_entry_set_uname archive_entry_set_gname archive_entry_unset_size
        archive_entry_xattr_add_entry archive_entry_xattr_clear
        archive_entry_xattr_count archive_entry_xattr_next archive_entry_xattr_reset
        archive_entry_sparse_add_entry
    """.split(),
    "LIB_NFT": ["nft_ctx_new", "nft_ctx_free", "nft_ctx_output_set_flags",
                "nft_ctx_buffer_output", "nft_ctx_buffer_error",
                "nft_ctx_get_output_buffer", "nft_ctx_get_error_buffer",
                "nft_run_cmd_from_buffer"],
    "LIB_NL": """
        nl_addr_parse nl_addr_put nl_connect nl_geterror nl_socket_alloc
        nl_socket_free nl_sendto nl_socket_get_fd nl_send_auto nl_wait_for_ack
        nlmsg_alloc_simple nlmsg_alloc_size nlmsg_append nlmsg_free nlmsg_hdr
        nlmsg_put nlmsg_data nlmsg_parse nla_put nla_put_string nla_put_u32
        nla_nest_start nla_nest_end nla_strlcpy nla_data nla_len
    """.split(),
    # only what the bridge's creation and deletion need (netlink.c)
    "LIB_NL_ROUTE": """
        rtnl_link_add rtnl_link_alloc rtnl_link_delete rtnl_link_put
        rtnl_link_set_addr rtnl_link_set_flags rtnl_link_set_name
        rtnl_link_set_type
    """.split(),
}

SRC = "#include <archive.h>\n#include <archive_entry.h>\n" \
      "#include <curl/curl.h>\n#include <openssl/evp.h>\n" \
      "#include <nftables/libnftables.h>\n#include <netlink/errno.h>\n" \
      "#include <netlink/netlink.h>\n#include <netlink/msg.h>\n" \
      "#include <netlink/attr.h>\n#include <netlink/socket.h>\n" \
      "#include <netlink/route/link.h>\n"


def split_params(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def main():
    cflags = subprocess.run(["pkg-config", "--cflags", "libarchive", "libcurl",
                             "libnl-route-3.0"],
                            capture_output=True, text=True, check=True).stdout.split()
    with tempfile.TemporaryDirectory() as d:
        open(f"{d}/a.c", "w").write(SRC)
        subprocess.run(["gcc", "-aux-info", f"{d}/aux", "-c", f"{d}/a.c", "-o",
                        "/dev/null", *cflags], check=True)
        aux = open(f"{d}/aux").read()
    protos = {}
    for m in re.finditer(r"extern (.*?)\b(\w+) \((.*)\);", aux):
        protos[m.group(2)] = (m.group(1).strip(), m.group(3))
    print("/* Generated by scripts/dev/gen-lazy-syms.py: do not edit. */")
    print("/* LAZY(lib, return type, name, (params), (args)) */")
    for lib, names in LIBS.items():
        for n in names:
            if n not in protos:
                sys.exit(f"no prototype for {n}")
            ret, params = protos[n]
            ps = [] if params.strip() == "void" else split_params(params)
            named, args = [], []
            for i, p in enumerate(ps):
                a = f"a{i}"
                named.append(p.replace("(*)", f"(*{a})", 1) if "(*)" in p
                             else f"{p} {a}".replace("* ", "*"))
                args.append(a)
            macro = "LAZY_VOID" if ret == "void" else "LAZY"
            print(f"{macro}({lib}, {ret}, {n}, ({', '.join(named) or 'void'}), "
                  f"({', '.join(args)}))")


main()

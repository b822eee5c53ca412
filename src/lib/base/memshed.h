/* SPDX-License-Identifier: MIT */
#ifndef HOMO_MEMSHED_H
#define HOMO_MEMSHED_H

#include "base/error.h"

/**
 * mem_shed_file_pages() - unmap the page-table entries of this process's
 * read-only file mappings (code, read-only data) that hold no private page:
 * the pages stay in the page cache and fault back in when run again. For a
 * process that lives long and mostly sleeps (the monitor): most of its
 * resident set is shared code that fault-around mapped 16 pages at a time.
 * Mappings with private (copied) pages, relocated data for one, are kept.
 * Single-threaded callers only: another thread could be running that code
 * (harmless) or copying a page between the check and the drop (not).
 * Return: the KiB dropped, or -1 with @e set.
 */
long mem_shed_file_pages(struct hm_err *e);

#endif

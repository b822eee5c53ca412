/* SPDX-License-Identifier: MIT */
#include "unit.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/memshed.h"
#include "base/util.h"

#define MAP_LEN (1 << 20)

/* Rss in KiB of the mapping that starts at @addr, from /proc/self/smaps */
static long mapping_rss(const void *addr)
{
	char want[32], line[256];
	FILE *f = fopen("/proc/self/smaps", "r");
	bool in = false;
	long v = -1;

	assert_non_null(f);
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want)))
			in = true;
		else if (in && sscanf(line, "Rss: %ld", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

static char *map_file(const char *path, int prot)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *p;

	assert_true(fd >= 0);
	p = mmap(NULL, MAP_LEN, prot, MAP_PRIVATE, fd, 0);
	assert_true(p != MAP_FAILED);
	close(fd);
	return p;
}

/* A read-only private file mapping gives its pages back and reads the same
 * after; one with a private (written) page keeps it, and so its content. */
static void test_shed(void **state)
{
	char *dir = unit_tmpdir();
	char *path = xasprintf("%s/f", dir);
	char *data = malloc(MAP_LEN), *ro, *cow;
	long sum = 0, want = 0;
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < MAP_LEN; i++)
		data[i] = (char)(i % 251);
	assert_int_equal(util_write_file_new(path, data, MAP_LEN, &e), 0);
	ro = map_file(path, PROT_READ);
	cow = map_file(path, PROT_READ | PROT_WRITE);
	/* both read through, page by page: resident */
	for (size_t i = 0; i < MAP_LEN; i += 4096) {
		sum += ro[i] + cow[i];
		want += 2 * data[i];
	}
	assert_int_equal(sum, want);
	cow[4096] = 'X'; /* a private copy of one page */
	assert_int_equal(mprotect(cow, MAP_LEN, PROT_READ), 0);
	assert_true(mapping_rss(ro) >= MAP_LEN / 1024);
	assert_true(mem_shed_file_pages(&e) >= MAP_LEN / 1024);
	assert_int_equal(mapping_rss(ro), 0);
	assert_memory_equal(ro, data, MAP_LEN); /* read back from the cache */
	assert_true(mapping_rss(cow) >= MAP_LEN / 1024); /* kept, whole */
	assert_int_equal(cow[4096], 'X');
	assert_int_equal(cow[4097], data[4097]);
	munmap(ro, MAP_LEN);
	munmap(cow, MAP_LEN);
	free(data);
	free(path);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

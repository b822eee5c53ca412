/* SPDX-License-Identifier: MIT */
/* The OCI runtime's state record: written and read back, the status derived
 * from the init's liveness, unknown ids and unsafe ids refused. */
#include "unit.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/oci_state.h"

static const char *status_of(json_t *j)
{
	return json_string_value(json_object_get(j, "status"));
}

static void test_round_trip_and_status(void **state)
{
	char *root = unit_tmpdir();
	struct oci_state st = {0}, rd;
	struct hm_err e;
	pid_t child = fork();
	json_t *j;

	(void)state;
	assert_true(child >= 0);
	if (child == 0) {
		/* not left behind by a failed assertion */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}
	st.id = "c1";
	st.bundle = "/b";
	st.created = "2026-11-30T17:35:46Z";
	st.pid = child;
	st.pid_start = util_proc_starttime(child);
	st.annotations = json_pack("{s:s}", "a", "b");
	assert_int_equal(oci_state_write(root, &st, &e), 0);
	json_decref(st.annotations);

	assert_int_equal(oci_state_read(root, "c1", &rd, &e), 0);
	assert_int_equal(rd.pid, child);
	assert_string_equal(rd.bundle, "/b");
	assert_null(rd.rootfs);
	j = oci_state_json(&rd);
	assert_string_equal(status_of(j), "created");
	assert_int_equal(json_integer_value(json_object_get(j, "pid")), child);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(j, "annotations"), "a")),
			    "b");
	json_decref(j);

	rd.started = true;
	assert_int_equal(oci_state_status(&rd), OCI_RUNNING);
	rd.pid_start++; /* a reused pid is not our init */
	assert_int_equal(oci_state_status(&rd), OCI_STOPPED);
	rd.pid_start--;

	kill(child, SIGKILL);
	/* a zombie is stopped too */
	while (util_proc_starttime(child) &&
	       oci_state_status(&rd) != OCI_STOPPED)
		usleep(1000);
	assert_int_equal(oci_state_status(&rd), OCI_STOPPED);
	waitpid(child, NULL, 0);
	j = oci_state_json(&rd);
	assert_string_equal(status_of(j), "stopped");
	assert_int_equal(json_integer_value(json_object_get(j, "pid")), 0);
	json_decref(j);
	oci_state_free(&rd);
	unit_rmtree(root);
}

static void test_unknown_and_bad_ids(void **state)
{
	char *root = unit_tmpdir();
	struct oci_state rd, st = {.id = "../x"};
	struct hm_err e;

	(void)state;
	assert_int_equal(oci_state_read(root, "nope", &rd, &e), -1);
	assert_int_equal(e.errnum, ENOENT);
	assert_int_equal(e.exit_code, 1);
	assert_non_null(strstr(e.msg, "does not exist"));
	assert_int_equal(oci_state_read(root, "..", &rd, &e), -1);
	assert_non_null(strstr(e.msg, "invalid container id"));
	assert_int_equal(oci_state_write(root, &st, &e), -1);
	assert_int_equal(oci_id_check("a/b", &e), -1);
	assert_int_equal(oci_id_check("", &e), -1);
	assert_int_equal(oci_id_check("k8s_pod-1.a+b", &e), 0);
	unit_rmtree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_and_status),
	    cmocka_unit_test(test_unknown_and_bad_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

# homo: GNU make + pkg-config. Objects in build/; libhomo.a holds everything
# but main.c and cmd_*.c, and the unit tests link against it.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
BUILD := build
PKGS := libcap libarchive libcurl jansson libnl-3.0 libnl-route-3.0 libcrypto libseccomp libnftables libisal

# libcurl, libarchive, libcrypto, libnftables, libnl and libisal (image/gunzip.c)
# are loaded on first use
# (src/lib/base/lazylib.c): homo links only the libraries every command needs.
LAZY_PKGS := libarchive libcurl libcrypto libnftables libnl-3.0 libnl-route-3.0 libisal
# Computed when the Makefile is parsed: `demo` and `check` install the
# packages first and then run a fresh $(MAKE), which computes them again
# (see HOMO_DEPS_DONE below); on a fresh machine the first parse finds none.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcap, jansson and libseccomp, which every start uses, are linked from their
# archives where installed (the -dev packages ship them): each exec of homo
# then maps and relocates three shared objects fewer (docs/performance.md).
STATIC_A := $(foreach l,cap jansson seccomp,$(wildcard $(shell $(CC) -print-file-name=lib$(l).a 2>/dev/null)))
ifeq ($(words $(STATIC_A)),3)
EAGER_LIBS := $(STATIC_A)
else
EAGER_LIBS := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null)
endif
PKG_LIBS := $(EAGER_LIBS) -ldl -lpthread
TEST_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wno-format-nonliteral
ifdef CI
WARN += -Werror
endif
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
CFLAGS ?= -O2 -g
# override: a CFLAGS given on the command line (make asan does) keeps these
override CFLAGS += -std=gnu11 $(WARN) $(HARDEN) $(PKG_CFLAGS) -D_GNU_SOURCE
override LDFLAGS += -pie -Wl,-z,relro,-z,now

# src/cli/ is the homo binary; src/lib/<domain>/ is libhomo.a, which the
# unit tests link against. Objects mirror the tree under $(BUILD)/, each
# with its own header dependencies (-MMD -MP).
CLI_SRC := $(sort $(wildcard src/cli/*.c))
LIB_SRC := $(sort $(shell find src/lib -name '*.c'))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:src/%.c=$(BUILD)/%.o)
INCLUDES := -iquote src/lib

# homo-fault: the same sources with the FAULT_POINT()s of
# src/lib/base/fault.h armed, for tests/integration/fault.bats; objects
# kept apart in fault/.
FAULT_DIR := $(BUILD)/fault
FAULT_LIB_OBJ := $(LIB_SRC:src/%.c=$(FAULT_DIR)/%.o)
FAULT_CLI_OBJ := $(CLI_SRC:src/%.c=$(FAULT_DIR)/%.o)
FAULT_BIN := $(BUILD)/homo-fault

# tests/unit/<domain>/test_*.c -> $(BUILD)/tests/<domain>/test_*
UNIT_SRC := $(sort $(wildcard tests/unit/*/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

IMAGES := $(BUILD)/images
BUSYBOX_TAR := $(IMAGES)/busybox.tar
LEDE_TAR := $(IMAGES)/lede.tar
PROBE := $(BUILD)/probe
# cve.bats' CVE-2019-5736 image preloads it (built here: no compiler in the VM)
PRELOAD := $(BUILD)/exe_preload.so
# and security.bats' raw-syscall program
SYSNR := $(BUILD)/sysnr

.PHONY: all deps check check-unit check-integration check-slow check-fresh \
	check-clang check-asan-integration check-asan-ci asan fmt fmt-check demo bench \
	check-vm check-vm-full check-oci check-engines \
	install clean images

all: $(BUILD)/homo $(BUILD)/floor

deps:
	@scripts/install-deps.sh

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INCLUDES) -MMD -MP -c -o $@ $<

# homo version's git commit (as of info.c's last compile)
HOMO_GIT := $(shell git rev-parse --short HEAD 2>/dev/null)
ifneq ($(HOMO_GIT),)
$(BUILD)/cli/info.o $(FAULT_DIR)/cli/info.o: INCLUDES += -DHOMO_GIT_COMMIT='"$(HOMO_GIT)"'
endif

# The exec shim (src/shim/, docs/security.md "The last exec"): a static
# program without libc that homo embeds (runtime/exec_shim.c .incbin's it)
# and every container command is exec'd through. Its own flags: no
# sanitizer, stack protector or PIE of the CFLAGS around it.
SHIM := $(BUILD)/homo-exec
SHIM_FLAGS := -Os -std=gnu11 $(WARN) -static -nostdlib -ffreestanding \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-pie -s \
	-Wl,--build-id=none,-z,noseparate-code,-z,norelro

$(SHIM): src/shim/exec_shim.c src/lib/runtime/exec_shim_proto.h
	@mkdir -p $(@D)
	$(CC) $(SHIM_FLAGS) $(INCLUDES) -o $@ $<

$(BUILD)/lib/runtime/exec_shim.o $(FAULT_DIR)/lib/runtime/exec_shim.o: $(SHIM)
$(BUILD)/lib/runtime/exec_shim.o $(FAULT_DIR)/lib/runtime/exec_shim.o: INCLUDES += -DEXEC_SHIM_BIN='"$(abspath $(SHIM))"'

$(BUILD)/libhomo.a: $(LIB_OBJ)
	rm -f $@ && ar rcsP $@ $^

$(BUILD)/homo: $(CLI_OBJ) $(BUILD)/libhomo.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libhomo.a $(PKG_LIBS)

$(FAULT_DIR)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INCLUDES) -DHOMO_FAULTS -MMD -MP -c -o $@ $<

$(FAULT_DIR)/libhomo.a: $(FAULT_LIB_OBJ)
	rm -f $@ && ar rcsP $@ $^

$(FAULT_BIN): $(FAULT_CLI_OBJ) $(FAULT_DIR)/libhomo.a
	$(CC) $(LDFLAGS) -o $@ $(FAULT_CLI_OBJ) $(FAULT_DIR)/libhomo.a $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libhomo.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INCLUDES) -iquote tests/unit -MMD -MP -o $@ $< $(BUILD)/libhomo.a $(PKG_LIBS) $(TEST_LIBS) -lcmocka $(LDFLAGS)

# The static probe program that goes into the test image.
$(PROBE): tests/probe/probe.c
	@mkdir -p $(@D)
	$(CC) -O2 -static -Wall -Wextra -o $@ $<

$(SYSNR): tests/probe/sysnr.c
	@mkdir -p $(@D)
	$(CC) -O2 -static -Wall -Wextra -o $@ $<

$(PRELOAD): tests/probe/exe_preload.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -shared -fPIC -o $@ $<

# Test images: built once from Debian packages and cached in build/images.
$(BUSYBOX_TAR): images/busybox/build.sh $(PROBE)
	images/busybox/build.sh $@ $(PROBE)

$(LEDE_TAR): images/lede/build.sh images/lede/customize.sh images/lede/opkg images/busybox/build.sh $(PROBE)
	images/lede/build.sh $@ $(PROBE)

images: $(BUSYBOX_TAR) $(LEDE_TAR) $(PRELOAD) $(SYSNR)

$(IMAGES)/debian.tar: images/debian/build.sh
	images/debian/build.sh $@

# demo and check are the first commands on a fresh machine: install the
# packages, then build in a new $(MAKE) whose pkg-config flags see them.
# Never "check: deps all": under -j that compiles while apt still installs.
ifndef HOMO_DEPS_DONE
check demo: deps
	@$(MAKE) --no-print-directory HOMO_DEPS_DONE=1 $@
else
check: all $(FAULT_BIN) $(UNIT_BIN) images
	@tests/run.sh

demo: all $(BUSYBOX_TAR)
	@scripts/demo.sh $(BUILD)/homo $(BUSYBOX_TAR)
endif

check-unit: all $(UNIT_BIN)
	@tests/run.sh --unit

check-integration: all $(FAULT_BIN) images
	@tests/run.sh --integration

# homo as an OCI runtime is the same binary under this name (docs/oci.md)
$(BUILD)/homo-runtime: $(BUILD)/homo
	ln -sfn homo $@

# The OCI runtime-tools validation suite against homo-runtime (RUNTIME=PATH
# for another runtime: crun is the baseline). The suite is built once, with
# Go, from HOMO_RUNTIME_TOOLS_TAR into HOMO_OCI_CACHE (scripts/oci/); for
# homo-runtime every not-ok must be one scripts/oci/known.txt explains.
check-oci: $(BUILD)/homo-runtime
	@scripts/install-deps.sh --oci
	@scripts/oci/check.sh
	@[ -n "$(RUNTIME)" ] || scripts/oci/gate.sh

# Podman and containerd driving the runtime end to end (tests/engines/,
# docs/kubernetes.md): RUNTIME=PATH for another (/usr/bin/crun,
# /usr/sbin/runc). Its own target (it installs and runs two engines);
# .ci/run runs it after check-oci.
check-engines: $(BUILD)/homo-runtime $(BUSYBOX_TAR)
	@scripts/install-deps.sh --engines
	@echo "# check-engines: RUNTIME=$(abspath $(or $(RUNTIME),$(BUILD)/homo-runtime))"
	@RUNTIME="$(abspath $(or $(RUNTIME),$(BUILD)/homo-runtime))" \
		tests/run.sh --integration tests/engines/oci_engines.bats

check-slow: all $(BUSYBOX_TAR)
	@scripts/install-deps.sh --slow
	@$(MAKE) --no-print-directory $(IMAGES)/debian.tar
	@tests/run.sh --slow

# make demo and make check-unit in a new Debian 12 minbase chroot, from a
# clone of HEAD (docs/testing.md); FRESH_FULL=1 runs make check there.
check-fresh:
	@scripts/install-deps.sh --slow
	@scripts/check-fresh.sh $(if $(FRESH_FULL),--full)

# The integration tests in a QEMU guest on Debian 12's kernel (6.1) with
# cgroup v2 alone (scripts/vm/, docs/testing.md): check-vm the tests where
# the cgroup version or the kernel matters (under 15 minutes), check-vm-full
# the whole suite (about an hour under TCG).
check-vm: all $(FAULT_BIN) images
	@scripts/vm/check.sh

check-vm-full: all $(FAULT_BIN) images
	@scripts/vm/check.sh --full

# AddressSanitizer + UndefinedBehaviorSanitizer (float-cast-overflow too,
# which -fsanitize=undefined leaves out), every report fatal, built in
# build-asan/ so the regular objects are not mixed with instrumented ones.
ASAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_MAKE = $(MAKE) --no-print-directory BUILD=build-asan \
	CFLAGS="-O1 -g $(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)"

# The second trees (ASan, clang) are built with a job per CPU when make was
# not given -j itself (CI's make is not): a serial build of two binaries
# and the unit tests took minutes of CI. Tests still run alone after it.
SUB_J = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 2))

# The unit tests under the sanitizers.
asan:
	@$(ASAN_MAKE) check-unit

# The integration suite once against the sanitized homo and homo-fault, with
# the test images, the probe and the bench's floor program of $(BUILD)
# (test programs, not homo); scripts/check-asan.sh collects the reports
# (docs/testing.md).
check-asan-integration: images $(PROBE) $(BUILD)/floor
	@$(ASAN_MAKE) $(SUB_J) CI=1 build-asan/homo build-asan/homo-fault
	@mkdir -p build-asan && ln -sfn $(abspath $(IMAGES)) build-asan/images
	@ln -sfn $(abspath $(PROBE)) build-asan/probe
	@ln -sfn $(abspath $(PRELOAD)) build-asan/exe_preload.so
	@ln -sfn $(abspath $(SYSNR)) build-asan/sysnr
	@ln -sfn $(abspath $(BUILD)/floor) build-asan/floor
	@scripts/check-asan.sh $(ASAN_FILES)

# What CI runs under the sanitizers (.ci/run; ~12 of the whole suite's ~23
# minutes): where homo parses what an image, archive, registry, spec or
# profile hands it, its fault and failure paths, the escapes and the
# relays. Every container start goes through them too. The rest (the
# lifecycle, networking, rootless and option suites) runs under the
# sanitizers with check-asan-integration, for changes there and before a
# release; CI runs it without them in make check.
ASAN_CI_FILES := $(addprefix tests/integration/,hostile.bats fault.bats \
	cve.bats commit.bats saveload.bats imageconfig.bats registry.bats \
	registry_parallel.bats registry_progress.bats pull.bats pull_gzip.bats \
	oci.bats oci_life.bats oci_nspath.bats seccomp_profile.bats \
	security.bats exec_path.bats logs_exact.bats format.bats cp.bats \
	volume.bats attach.bats onepath.bats)

check-asan-ci:
	@$(MAKE) --no-print-directory check-asan-integration \
		ASAN_FILES="$(ASAN_CI_FILES)"

# The whole tree (homo, homo-fault, unit tests) built by clang with -Werror
# in its own tree, and the unit tests run: clang warns where gcc does not.
check-clang:
	@$(MAKE) --no-print-directory $(SUB_J) CC=clang BUILD=build-clang CI=1 \
		build-clang/homo-fault all $(UNIT_BIN:$(BUILD)/%=build-clang/%)
	@$(MAKE) --no-print-directory CC=clang BUILD=build-clang CI=1 check-unit

# src/lib/base/lazy_syms.h is generated (scripts/dev/gen-lazy-syms.py): not formatted
FMT_FILES = $(filter-out src/lib/base/lazy_syms.h,$(shell find src -name '*.[ch]')) \
	$(shell find tests/unit -name '*.[ch]') tests/probe/*.c

fmt:
	clang-format -i $(FMT_FILES)

fmt-check:
	clang-format --dry-run --Werror $(FMT_FILES)

# the bench's floor program: not part of homo, no library of ours
$(BUILD)/floor: scripts/bench/floor.c scripts/bench/floor_vs.c scripts/bench/floor.h
	@mkdir -p $(@D)
	$(CC) -O2 -g -std=gnu11 $(WARN) \
		$(if $(findstring clang,$(CC)),,-Wno-format-truncation) -D_GNU_SOURCE \
		-o $@ scripts/bench/floor.c scripts/bench/floor_vs.c

bench: all $(BUILD)/homo-runtime $(BUSYBOX_TAR)
	@scripts/install-deps.sh --bench
	@scripts/install-deps.sh --engines
	@scripts/bench/run.sh

install: $(BUILD)/homo
	install -D -m 0755 $(BUILD)/homo $(DESTDIR)$(PREFIX)/bin/homo
	ln -sfn homo $(DESTDIR)$(PREFIX)/bin/homo-runtime
	install -D -m 0644 docs/homo.1 $(DESTDIR)$(PREFIX)/share/man/man1/homo.1
	mkdir -p $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|@BINDIR@|$(PREFIX)/bin|' contrib/systemd/homo-boot.service \
		>$(DESTDIR)$(PREFIX)/lib/systemd/system/homo-boot.service

clean:
	rm -rf build build-asan build-clang

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

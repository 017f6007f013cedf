# Tidemark: the two commands of the README, and the steps they stand on.
#   make demo   installs what is missing, builds, runs a controller and an agent on loopback
#   make test   installs what is missing, builds, runs every test through ctest
#   make package  builds the .deb: build/package/tidemark_<version>_<arch>.deb
SHELL := /bin/bash
MAKEFLAGS += --no-print-directory
BUILD_DIR ?= build
PRESET ?= default
JOBS ?= 2

# Every Debian 12 package the build and the tests need (peers for benchmarks are
# installed by bench/ scripts, not here). chromium renders the HTML report in a test;
# dpkg-dev gives cpack dpkg-shlibdeps (the .deb's Depends); ansible-core, ansible-lint
# and python3-apt run the Ansible roles' tests against the .deb. libsnappy-dev and
# libcurl4-openssl-dev: remote write (snappy compresses, libcurl POSTs) and the promql
# history backend; prometheus (with promtool) and victoria-metrics are the real peers
# of their integration tests.
DEPS := cmake g++ make pkg-config \
        capnproto libcapnp-dev libssl-dev \
        libzmq3-dev cppzmq-dev \
        librocksdb-dev liburing-dev libbpf-dev clang-14 \
        libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev \
        libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev \
        chromium dpkg-dev ansible-core ansible-lint python3-apt \
        libsnappy-dev libcurl4-openssl-dev prometheus victoria-metrics

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build test demo clean package

deps:
	@missing=$$(for p in $(DEPS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "make deps: all Debian packages present"; \
	fi

build: deps
	cmake --preset $(PRESET) > /dev/null
	cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS) --timeout 300

demo: build
	bash tests/demo/demo.sh $(BUILD_DIR)/bin

# One .deb (tidemark) with the three programs, configs and units; see README, Installing
# the .deb. The version is the project's (CMakeLists.txt), the architecture dpkg's.
package: build
	cpack --config $(BUILD_DIR)/CPackConfig.cmake -B $(BUILD_DIR)/package
	@version=$$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' $(BUILD_DIR)/CMakeCache.txt); \
	deb=$(BUILD_DIR)/package/tidemark_$${version}_$$(dpkg --print-architecture).deb; \
	test -f "$$deb" && echo "make package: $$deb"

clean:
	rm -rf $(BUILD_DIR)

# Fuzzing and sanitizers (see tests/fuzz/). `make fuzz` builds every libFuzzer target
# in build-fuzz with clang-14 (ASan+UBSan) and runs each for FUZZ_SECONDS on a copy
# of its seed corpus; it fails when any target crashed. `make test-asan` runs the
# whole ctest suite under the `asan` preset (gcc, ASan+UBSan, build-asan/).
FUZZ_SECONDS ?= 60
FUZZ_DEPS := clang-14 libclang-rt-14-dev

.PHONY: fuzz-deps fuzz test-asan

fuzz-deps:
	@missing=$$(for p in $(FUZZ_DEPS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "make fuzz-deps: installing" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "make fuzz-deps: clang-14 and libclang-rt-14-dev present"; \
	fi

fuzz: deps fuzz-deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) bash tests/fuzz/run_fuzz.sh build-fuzz

test-asan: deps
	cmake --preset asan > /dev/null
	cmake --build build-asan -j$(JOBS)
	ctest --test-dir build-asan --output-on-failure -j$(JOBS) --timeout 600

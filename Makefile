# Thin wrapper over CMake. `make demo` and `make test` work from a fresh
# Debian 12 machine as root: they install what is missing first.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

PREFIX ?= /usr/local

.PHONY: all setup build asan-build test demo clean install uninstall deb
.PHONY: bench

all: build

setup:
	@./scripts/setup

build: setup
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DHK_ASAN_BUILD_DIR=$(abspath $(ASAN_BUILD)) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The same tests once more against an AddressSanitizer+UBSan build; ctest in
# $(BUILD) runs both sets (names asan.*) so one summary counts everything.
asan-build: setup
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DHK_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

test: build asan-build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: build
	@./scripts/demo $(BUILD)

# Times hogkit and the reference libraries on the same inputs; writes BENCHMARKS.md.
bench: build
	/usr/bin/python3 bench/run_bench.py --build $(BUILD) --out BENCHMARKS.md

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# Installs into $(DESTDIR)$(PREFIX): library (shared + static), header, CLI,
# man page, pkg-config file, CMake package (and the Python module when built).
install: build
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# Removes exactly what the last `make install` of this build wrote.
uninstall:
	@test -f $(BUILD)/install_manifest.txt || { echo "nothing installed from $(BUILD)"; exit 1; }
	@while read -r f || [ -n "$$f" ]; do rm -f "$(DESTDIR)$$f"; done < $(BUILD)/install_manifest.txt
	@echo "removed $$(grep -c "" $(BUILD)/install_manifest.txt) files"

# A Debian package built with Debian's own tools (dpkg-shlibdeps, dpkg-gencontrol, dpkg-deb).
deb: build
	@./scripts/make-deb $(BUILD)

# Finds every third-party dependency. Each comes from a Debian package; when one
# is missing the configure step stops and names the package (`make deps` installs
# them all).

function(tidemark_require_package found package what)
  if(NOT ${found})
    message(FATAL_ERROR
      "Tidemark needs ${what}: install the Debian package '${package}' "
      "(apt-get install ${package}, or run 'make deps').")
  endif()
endfunction()

find_package(PkgConfig QUIET)
tidemark_require_package(PkgConfig_FOUND pkg-config "pkg-config")

find_package(CapnProto CONFIG QUIET)
tidemark_require_package(CapnProto_FOUND "capnproto libcapnp-dev" "Cap'n Proto")

find_package(RocksDB CONFIG QUIET)
tidemark_require_package(RocksDB_FOUND librocksdb-dev "RocksDB")

pkg_check_modules(ZMQ QUIET IMPORTED_TARGET libzmq)
tidemark_require_package(ZMQ_FOUND libzmq3-dev "ZeroMQ")
find_path(CPPZMQ_INCLUDE_DIR zmq.hpp)
tidemark_require_package(CPPZMQ_INCLUDE_DIR cppzmq-dev "cppzmq (zmq.hpp)")

pkg_check_modules(URING QUIET IMPORTED_TARGET liburing)
tidemark_require_package(URING_FOUND liburing-dev "liburing")

find_package(spdlog CONFIG QUIET)
tidemark_require_package(spdlog_FOUND libspdlog-dev "spdlog")

find_package(CLI11 CONFIG QUIET)
tidemark_require_package(CLI11_FOUND libcli11-dev "CLI11")

find_package(tomlplusplus CONFIG QUIET)
tidemark_require_package(tomlplusplus_FOUND libtomlplusplus-dev "toml++")

find_package(nlohmann_json CONFIG QUIET)
tidemark_require_package(nlohmann_json_FOUND nlohmann-json3-dev "nlohmann-json")

find_package(Threads REQUIRED)

if(TIDEMARK_BUILD_TESTS)
  find_package(GTest CONFIG QUIET)
  tidemark_require_package(GTest_FOUND "libgtest-dev libgmock-dev" "GoogleTest")
endif()
if(TIDEMARK_BUILD_BENCH)
  find_package(benchmark CONFIG QUIET)
  tidemark_require_package(benchmark_FOUND libbenchmark-dev "Google Benchmark")
endif()

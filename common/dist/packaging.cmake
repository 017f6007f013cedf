# CPack: one Debian package, `tidemark`, with the three programs, the default configs
# (conffiles), the systemd units (installed, not enabled) and the maintainer scripts in
# common/dist/debian. `make package` and tests/packaging/deb_package_test.sh run it:
#   cpack --config build/CPackConfig.cmake -B build/package
# -> build/package/tidemark_<version>_<arch>.deb. Only what install() names goes in: the
# tests, benchmarks, fuzz targets and urbit-standin have no install rule.

# cpack (and `make install`) would otherwise build `all` first, tests and benchmarks
# included; `make package` builds before packaging, and the packaging test needs only
# the three programs, which a build made.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tidemark)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Tidemark")
set(CPACK_PACKAGE_CONTACT "Tidemark maintainers <tidemark@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "fleet performance agent and controller for Linux servers")
# The body; CPack puts the summary above it as the synopsis line.
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "tidemark-agent samples a host (node_exporter metrics, Urbit ships and piers) and\n"
    "sends batches over CurveZMQ; tidemark-controller stores the fleet's history in\n"
    "RocksDB, plans capacity, fires scaling triggers and rolls out tuning; tidemark is\n"
    "the command-line client. The systemd units are installed but not enabled.")
# Unset file name parts: without CPACK_DEBIAN_PACKAGE_RELEASE this is
# tidemark_<version>_<arch>.deb, the name the packaging and Ansible tests look for.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_STRIP_FILES ON)
# dpkg-shlibdeps (dpkg-dev) names the shared libraries' packages (libzmq5, librocksdb...);
# adduser is for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")

# CPack 3.25 marks no conffiles by itself (debhelper's dh_installdeb does that for /etc;
# CPack has no equivalent), so they are listed here: dpkg then keeps an operator's edits
# on upgrade and removal.
set(TIDEMARK_CONFFILES /etc/tidemark/agent.toml /etc/tidemark/controller.toml
                       /etc/tidemark/policy.toml)
list(JOIN TIDEMARK_CONFFILES "\n" TIDEMARK_CONFFILES_TEXT)
file(WRITE ${CMAKE_BINARY_DIR}/debian/conffiles "${TIDEMARK_CONFFILES_TEXT}\n")
set(TIDEMARK_DEBIAN_DIR ${CMAKE_CURRENT_LIST_DIR}/debian)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${TIDEMARK_DEBIAN_DIR}/postinst ${TIDEMARK_DEBIAN_DIR}/prerm ${TIDEMARK_DEBIAN_DIR}/postrm
    ${CMAKE_BINARY_DIR}/debian/conffiles)
# Maintainer scripts 0755 and conffiles 0644 whatever the checkout's modes are.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)

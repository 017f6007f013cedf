# Writes a C++ file defining the bytes of INPUT as `extern const std::span<const uint8_t> SYMBOL`
# in namespace tidemark::agent:  cmake -DINPUT=f -DOUTPUT=f.cc -DSYMBOL=name -P embed_bytes.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
math(EXPR size "${hex_length} / 2")
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by embed_bytes.cmake: do not edit.
#include <cstdint>
#include <span>

namespace tidemark::agent {
namespace {
alignas(8) const uint8_t kBytes[${size}] = {
  ${bytes}
};
}  // namespace
extern const std::span<const uint8_t> ${SYMBOL};
const std::span<const uint8_t> ${SYMBOL}(kBytes, sizeof kBytes);
}  // namespace tidemark::agent
")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")

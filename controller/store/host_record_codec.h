// HostState <-> the HostRecord bytes kept in the hosts column family.
#pragma once

#include <string>
#include <string_view>

#include "controller/store/sample_store.h"

namespace tidemark::controller {

std::string encodeHostRecord(const HostState& state);
// Throws StoreError when the bytes are not a HostRecord.
HostState decodeHostRecord(std::string_view bytes);

}  // namespace tidemark::controller

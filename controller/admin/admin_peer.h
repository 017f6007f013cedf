// Who sent an admin request: libzmq puts the Unix socket peer's SO_PEERCRED in a
// message's "Peer-Address" metadata as ":uid:gid:pid"; the uid names the user that
// the tuning audit log records.
#pragma once

#include <string_view>

#include "controller/tuning/tuning_service.h"

namespace tidemark::controller {

// The peer of a Peer-Address value; uid -1 and an empty user when it holds no
// credentials (a TCP peer, an old libzmq). The user is the uid's name from the
// password database, "uid:N" when it has none.
AdminPeer adminPeerFromAddress(std::string_view peer_address);

}  // namespace tidemark::controller

@0xa7beed9f82f883d0;
# Hello: the first message an agent sends on a connection, and again whenever the
# controller asks it to resynchronise. It says who the agent is and what the host is.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tidemark::schema");

struct Fact {
  # A slowly changing fact about the host ("kernel" = "6.1.0-13-amd64", "cpu_count" = "8").
  name @0 :Text;
  value @1 :Text;
}

struct Hello {
  hostId @0 :Text;          # The operator's name for the host; unique in the fleet.
  agentVersion @1 :Text;
  bootId @2 :Text;          # /proc/sys/kernel/random/boot_id: changes at every reboot.
  epoch @3 :UInt64;         # Random, made when the agent's state dir was created:
                            # sequence numbers and series ids are unique within it.
  intervalMs @4 :UInt32;    # How often the agent sends a batch.
  facts @5 :List(Fact);
}

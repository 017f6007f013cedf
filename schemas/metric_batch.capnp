@0x887646952eb951f0;
# MetricBatch: one or more collections of one host, columnar.
#
# Series are named once: a batch announces (id -> name + labels) for every series id
# the controller has not acknowledged yet, and samples then refer to series by id.
# Ids are the agent's own, unique within its epoch, so a batch replayed from the
# agent's outbox after any restart still decodes. Sample i is
# (seriesIds[i], timestampsMs[i], values[i]); the three lists have equal lengths.
# A batch whose samples share one time (one collection) may instead leave
# timestampsMs empty and set timestampMs, 8 of every 20 bytes a sample less; an agent
# sends that form only to a controller whose Welcome says it reads it.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tidemark::schema");

using import "label.capnp".Label;

struct SeriesAnnouncement {
  id @0 :UInt32;
  name @1 :Text;
  labels @2 :List(Label);
}

struct MetricBatch {
  hostId @0 :Text;
  epoch @1 :UInt64;
  sequence @2 :UInt64;        # 1, 2, 3 ... within the epoch; 0 for a batch that only announces.
  oldestPending @3 :UInt64;   # The oldest sequence the agent still holds: everything older
                              # that the controller lacks was dropped by the agent for good.
  announcements @4 :List(SeriesAnnouncement);
  seriesIds @5 :List(UInt32);
  timestampsMs @6 :List(Int64);
  values @7 :List(Float64);
  timestampMs @8 :Int64;      # Every sample's time when timestampsMs is empty.
}

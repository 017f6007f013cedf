@0xd4856565ee27a3d8;
# The admin protocol between the `tidemark` CLI and the controller (a request and a
# response frame over the controller's admin Unix socket).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tidemark::schema");

using import "label.capnp".Label;

struct LabelMatcher {
  name @0 :Text;
  value @1 :Text;
  op @2 :Op;
  enum Op {
    equal @0;
    notEqual @1;
    regexMatch @2;
    regexNoMatch @3;
  }
}

struct QueryRequest {
  metric @0 :Text;
  host @1 :Text;              # Empty: every host.
  matchers @2 :List(LabelMatcher);
  sinceMs @3 :Int64;          # Inclusive, wall-clock milliseconds.
  untilMs @4 :Int64;          # Inclusive.
  maxSamplesPerSeries @5 :UInt32;   # 0: no limit. The newest are kept.
  stepMs @6 :Int64;           # 0: raw samples; else step-aligned buckets.
  aggregation @7 :Aggregation;  # With a step; none means avg.
  lastOnly @8 :Bool;          # Only the newest sample of each series.
  enum Aggregation {
    none @0;
    min @1;
    max @2;
    avg @3;
    sum @4;
    last @5;
    count @6;
  }
}

struct AgentsRequest {
  op @0 :Op;
  host @1 :Text;        # accept, revoke
  keyPrefix @2 :Text;   # accept: which pending key, when several are pending
  enum Op {
    list @0;
    pending @1;
    accept @2;
    revoke @3;
  }
}

# One bounded piece of `tidemark import`: applied atomically (all of it or none).
# The CLI validates the whole file before it sends the first piece, so a malformed
# file stores nothing; a piece refused by the controller (a limit) stops the import.
struct ImportRequest {
  # Each entry: host (from the `host` or `instance` label, or --host), metric, labels
  # sorted by name without `host`, timestamps strictly increasing, one value each.
  series @0 :List(SeriesData);
}

# `tidemark ships`: every Urbit ship the store knows, joined on the controller from
# the newest sample of each urbit_ship_* series (one round trip, one row per ship).
struct ShipsRequest {
  host @0 :Text;              # Empty: every host.
}

# `tidemark plan`: capacity forecasts over the planning window (see controller/planner).
struct PlanRequest {
  host @0 :Text;              # Empty: every host.
  windowMs @1 :Int64;         # History to fit; 0: the controller's configured window.
  withHistory @2 :Bool;       # Each forecast carries the points it was fitted to (reports).
}

# `tidemark triggers`: the scaling triggers' states, evaluated on the controller.
struct TriggersRequest {
  all @0 :Bool;               # also the resolved ones (kept 30 days); else pending and firing
}

# `tidemark tune`: the tuning service's proposals, approvals, roll-outs and audit log.
struct TuneRequest {
  op @0 :Op;
  ids @1 :List(UInt64);       # show, reject, rollback: one; approve: one or more
  canary @2 :UInt32;          # approve: canary hosts, when hasCanary
  hasCanary @3 :Bool;         # false: the controller's default
  state @4 :Text;             # list: only this state; empty: all
  host @5 :Text;              # list: only this host; empty: all
  knob @6 :Text;              # propose
  value @7 :Text;             # propose
  hosts @8 :List(Text);       # propose: one proposal per host
  limit @9 :UInt32;           # log: newest N; 0: 50
  enum Op {
    list @0;
    show @1;
    approve @2;
    reject @3;
    rollback @4;
    propose @5;
    log @6;
  }
}

struct AdminRequest {
  union {
    status @0 :Void;
    hosts @1 :Void;
    query @2 :QueryRequest;
    agents @3 :AgentsRequest;
    importSamples @4 :ImportRequest;
    compact @5 :Void;   # seal every head and compact the whole store (bulk loads, benchmarks)
    ships @6 :ShipsRequest;
    plan @7 :PlanRequest;
    triggers @8 :TriggersRequest;
    tune @9 :TuneRequest;
  }
}

struct AgentKeyInfo {
  host @0 :Text;
  key @1 :Text;
  state @2 :Text;       # accepted, pending, denied
  address @3 :Text;
  firstSeenMs @4 :Int64;
  lastSeenMs @5 :Int64;
}

struct StatusReply {
  version @0 :Text;
  uptimeSeconds @1 :Float64;
  agentsConnected @2 :UInt32;
  agentsKnown @3 :UInt32;
  seriesStored @4 :UInt64;
  samplesStored @5 :UInt64;
  dataDir @6 :Text;
  listen @7 :Text;
  remoteWrite @8 :RemoteWriteStatus;  # unset when remote write is off
}

struct RemoteWriteStatus {
  url @0 :Text;
  samplesSent @1 :UInt64;
  samplesFailed @2 :UInt64;    # in requests that failed and were retried
  samplesDropped @3 :UInt64;   # refused by the remote (4xx) or pushed out of a full queue
  samplesPending @4 :UInt64;   # queued, not delivered yet
  queueBytes @5 :UInt64;
  lagSeconds @6 :Float64;      # age of the oldest undelivered sample
  shards @7 :UInt32;
}

struct HostInfo {
  host @0 :Text;
  connected @1 :Bool;
  lastSeenMs @2 :Int64;
  series @3 :UInt64;
  samples @4 :UInt64;
  agentVersion @5 :Text;
  lastSequence @6 :UInt64;
}

struct SeriesData {
  host @0 :Text;
  metric @1 :Text;
  labels @2 :List(Label);
  timestampsMs @3 :List(Int64);
  values @4 :List(Float64);
}

struct ImportReply {
  samples @0 :UInt64;       # samples written by this request
  series @1 :UInt64;        # series in this request
  newSeries @2 :UInt64;     # of those, series the store did not have
}

struct CompactReply {
  seconds @0 :Float64;
  liveSstBytes @1 :UInt64;    # live SST files of every column family, after the compaction
}

# One ship (a pier on a host), from the newest samples of its urbit_ship_* series.
# Float64 fields are NaN when the ship has no such series; times are wall-clock
# milliseconds, 0 when unknown.
struct ShipInfo {
  host @0 :Text;
  ship @1 :Text;              # the `ship` label: the pier folder's name
  pier @2 :Text;              # the `pier` label: the pier's absolute path on the host
  up @3 :Bool;                # newest urbit_ship_up is 1 and no older than staleAfterMs
  upSampleMs @4 :Int64;       # time of the newest urbit_ship_up sample
  staleAfterMs @5 :Int64;     # the staleness bound applied to this ship's host
  pierBytes @6 :Float64;
  loomBytes @7 :Float64;
  loomUseRatio @8 :Float64;
  rssBytes @9 :Float64;
  cpuSeconds @10 :Float64;    # cumulative (a counter)
  cpuRatio @11 :Float64;      # CPU seconds per second over the newest two samples; NaN when down
  lastPackMs @12 :Int64;      # sample time minus urbit_ship_seconds_since_pack
}

# One resource series' forecast. Units: bytes (disk, memory, pier, loom), a fraction
# (cpu, io) or bytes/s (network). NaN where unknown.
struct ForecastInfo {
  host @0 :Text;
  resource @1 :Text;            # disk, memory, pier, loom, cpu, io, network
  labels @2 :List(Label);       # mountpoint/device/fstype, ship/pier, or device
  current @3 :Float64;          # newest value
  capacity @4 :Float64;         # 0: unknown
  threshold @5 :Float64;        # fraction of capacity
  slopePerDay @6 :Float64;      # long-run growth (a sawtooth: of its post-pack floor)
  daysToThreshold @7 :Float64;  # NaN: not growing or capacity unknown; 0: there already
  monthlyGrowth @8 :Float64;
  fit @9 :Float64;              # 0..1: 1 - median |residual| / median level
  model @10 :Text;              # linear, sawtooth, level_shift
  windowStartMs @11 :Int64;     # the points the trend was fitted to
  windowEndMs @12 :Int64;
  points @13 :UInt32;
  packs @14 :UInt32;            # sawtooth: pack drops seen
  growthBetweenPacksPerDay @15 :Float64;  # sawtooth: NaN otherwise
  historyMs @16 :List(Int64);   # with PlanRequest.withHistory: the fitted points
  historyUsed @17 :List(Float64);
}

struct FleetResourceInfo {
  resource @0 :Text;            # disk, memory, loom
  used @1 :Float64;             # bytes, newest points summed
  capacity @2 :Float64;
  threshold @3 :Float64;
  monthlyGrowth @4 :Float64;    # growing series only
  monthsOfHeadroom @5 :Float64; # room below the thresholds / monthly growth; NaN: none grows
}

struct PlanReply {
  sinceMs @0 :Int64;
  untilMs @1 :Int64;
  forecasts @2 :List(ForecastInfo);  # nearest exhaustion first
  hosts @3 :UInt64;
  ships @4 :UInt64;
  fleet @5 :List(FleetResourceInfo);
}

# One trigger subject: a rule on a host (and a filesystem, device or ship there).
struct TriggerInfo {
  rule @0 :Text;
  host @1 :Text;
  labels @2 :List(Label);
  resource @3 :Text;          # memory, disk, cpu, ..., or metric
  metric @4 :Text;            # with resource "metric"
  condition @5 :Text;         # as configured: "> 80%", ">= 10"
  durationMs @6 :Int64;
  action @7 :Text;            # scale_up, scale_out, maintenance, tune
  severity @8 :Text;          # info, warning, critical
  state @9 :Text;             # pending, firing, resolved
  # pending: when the breach began; firing: when it fired; resolved: when the
  # episode had fired. Wall-clock ms.
  sinceMs @10 :Int64;
  resolvedAtMs @11 :Int64;    # 0 when it never resolved
  value @12 :Float64;         # the newest value (a ratio for ratio conditions)
  valueMs @13 :Int64;
  ratio @14 :Bool;            # value and threshold are fractions of capacity
}

# One tuning proposal (controller/tuning/proposal.h). Times: wall-clock ms.
struct ProposalInfo {
  id @0 :UInt64;
  host @1 :Text;
  knob @2 :Text;              # the agent's knob id; sysctls by name (vm.swappiness)
  current @3 :Text;           # the host's value when proposed
  value @4 :Text;
  state @5 :Text;             # proposed, approved, applied, failed, rolled_back, rejected
  reason @6 :Text;
  evidence @7 :List(Text);
  source @8 :Text;            # recommender, or "manual by USER"
  createdMs @9 :Int64;
  updatedMs @10 :Int64;
  rollout @11 :UInt64;        # 0: none
  canary @12 :Bool;
  agentMessage @13 :Text;     # the agent's last reason
  restoreCommand @14 :Text;
  pending @15 :Text;          # the command owed to the agent: "", "apply", "rollback"
}

struct AuditInfo {
  atMs @0 :Int64;
  proposal @1 :UInt64;
  host @2 :Text;
  knob @3 :Text;
  event @4 :Text;
  actorUid @5 :Int64;         # -1: the controller, or unknown
  actor @6 :Text;
  detail @7 :Text;
}

struct TuneReply {
  proposals @0 :List(ProposalInfo);  # list, show, propose (the new ones), approve (the approved)
  audit @1 :List(AuditInfo);         # log: newest first
  done @2 :Text;                     # what a change did, for the operator
}

struct AdminResponse {
  union {
    error @0 :Text;
    status @1 :StatusReply;
    hosts @2 :List(HostInfo);
    query @3 :List(SeriesData);
    agents @4 :List(AgentKeyInfo);
    done @5 :Text;      # what a change did, for the operator
    imported @6 :ImportReply;
    compacted @7 :CompactReply;
    ships @8 :List(ShipInfo);   # sorted by host, ship, pier
    plan @9 :PlanReply;
    triggers @10 :List(TriggerInfo);   # firing first, then pending, resolved; by rule, host
    tune @11 :TuneReply;
  }
}

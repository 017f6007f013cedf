@0x84460c7d4e972f1a;
# A label of a series: name and value, both UTF-8. Lists of labels on the wire are
# sorted by name; receivers re-check that.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tidemark::schema");

struct Label {
  name @0 :Text;
  value @1 :Text;
}

#include "controller/store/batch_append.h"

#include <string>

#include "common/errors/error.h"

namespace tidemark::controller {

namespace {

class AppendHandler : public rocksdb::WriteBatch::Handler {
 public:
  AppendHandler(rocksdb::WriteBatch& into, std::span<rocksdb::ColumnFamilyHandle* const> families)
      : into_(into), families_(families) {}

  rocksdb::Status PutCF(uint32_t family_id, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    auto* family = find(family_id);
    if (family == nullptr) return unknown(family_id);
    return into_.Put(family, key, value);
  }
  rocksdb::Status MergeCF(uint32_t family_id, const rocksdb::Slice& key,
                          const rocksdb::Slice& value) override {
    auto* family = find(family_id);
    if (family == nullptr) return unknown(family_id);
    return into_.Merge(family, key, value);
  }
  // Every other kind of record keeps the Handler's default, which fails the iteration:
  // dropping a record would write a commit with a hole in it.

 private:
  rocksdb::ColumnFamilyHandle* find(uint32_t family_id) const {
    for (auto* family : families_) {
      if (family->GetID() == family_id) return family;
    }
    return nullptr;
  }
  static rocksdb::Status unknown(uint32_t family_id) {
    return rocksdb::Status::InvalidArgument("unknown column family " + std::to_string(family_id));
  }

  rocksdb::WriteBatch& into_;
  std::span<rocksdb::ColumnFamilyHandle* const> families_;
};

}  // namespace

void appendBatch(const rocksdb::WriteBatch& from, rocksdb::WriteBatch& into,
                 std::span<rocksdb::ColumnFamilyHandle* const> families) {
  AppendHandler handler(into, families);
  auto status = from.Iterate(&handler);
  if (!status.ok()) {
    throw StoreError("appending " + std::to_string(from.Count()) +
                     " records of a prepared part to the commit: " + status.ToString());
  }
}

}  // namespace tidemark::controller

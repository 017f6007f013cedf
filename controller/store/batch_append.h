// Appends one RocksDB WriteBatch's records to another, so that parts of a commit can be
// prepared in batches of their own on several threads and still be written as one
// atomic batch.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <span>

namespace tidemark::controller {

// Appends every Put and Merge of `from` to `into`, in order, resolving column family
// ids through `families`. Throws StoreError for a record of another kind or an unknown
// column family (the commit must then not be written: records would be missing).
void appendBatch(const rocksdb::WriteBatch& from, rocksdb::WriteBatch& into,
                 std::span<rocksdb::ColumnFamilyHandle* const> families);

}  // namespace tidemark::controller

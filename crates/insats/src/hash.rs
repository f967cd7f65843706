//! Hash maps and sets keyed by ids, codes and dates: the lookups of the
//! cross-file checks, the report and the ledger import.
//!
//! The standard library's SipHash was, with all its per-key setup, the
//! largest single cost of `insats validate` on a national portfolio (6 %
//! of the samples). foldhash is several times faster on short keys and
//! still seeded afresh for every process, so a crafted plan file or export
//! cannot make its keys collide on purpose.

/// A hash map with a fast, randomly seeded hasher.
pub(crate) type IdMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A hash set with a fast, randomly seeded hasher.
pub(crate) type IdSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

//! The hash of every row an import reads, to find the rows that repeat.
//!
//! Exact duplicate detection has to remember every row, so this is the one
//! part of an import that grows with the export. Up to
//! [`RowHashes::IN_MEMORY`] hashes are kept in memory; beyond that they are
//! sorted and written to an anonymous temporary file (deleted by the
//! operating system when closed, and never a file anyone sees), the way
//! `sort(1)` handles input larger than its buffer. Sorted, the hashes of
//! each of [`PARTITIONS`] ranges lie together, so the repeated ones are
//! then found one range at a time, with a sixty-fourth of all hashes in
//! memory. If no temporary file can be written, the hashes stay in memory:
//! slower to run out of, never wrong.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

/// Ranges of hash values, by their top bits.
const PARTITIONS: usize = 64;

fn partition(hash: u64) -> usize {
    (hash >> (64 - PARTITIONS.trailing_zeros())) as usize
}

/// One file of spilled hashes: sorted runs one after the other.
#[derive(Debug)]
struct Spilled {
    file: File,
    /// For each run, where each partition's hashes start in the file (and
    /// where the run ends), in bytes.
    runs: Vec<[u64; PARTITIONS + 1]>,
}

/// Row hashes, in memory and, past a limit, in a temporary file.
#[derive(Debug)]
pub(super) struct RowHashes {
    memory: Vec<u64>,
    spilled: Vec<Spilled>,
    /// Hashes kept in memory before spilling.
    limit: usize,
    /// A temporary file could not be written: keep everything in memory.
    stay_in_memory: bool,
}

impl Default for RowHashes {
    fn default() -> Self {
        RowHashes::with_limit(Self::IN_MEMORY)
    }
}

impl RowHashes {
    /// Eight mebibytes of hashes: a million rows.
    pub(super) const IN_MEMORY: usize = 1 << 20;

    pub(super) fn with_limit(limit: usize) -> Self {
        RowHashes {
            memory: Vec::new(),
            spilled: Vec::new(),
            limit: limit.max(1),
            stay_in_memory: false,
        }
    }

    pub(super) fn push(&mut self, hash: u64) {
        self.memory.push(hash);
        if self.memory.len() >= self.limit && !self.stay_in_memory {
            self.spill();
        }
    }

    /// Writes the hashes in memory to the temporary file as a sorted run.
    fn spill(&mut self) {
        self.memory.sort_unstable();
        if self.spilled.is_empty() {
            // Without a file system of its own (no `fs` feature) the
            // hashes stay in memory.
            #[cfg(not(feature = "fs"))]
            let temporary: std::io::Result<File> = Err(std::io::ErrorKind::Unsupported.into());
            #[cfg(feature = "fs")]
            let temporary = tempfile::tempfile();
            match temporary {
                Ok(file) => self.spilled.push(Spilled {
                    file,
                    runs: Vec::new(),
                }),
                Err(_) => {
                    self.stay_in_memory = true;
                    return;
                }
            }
        }
        let Some(spilled) = self.spilled.last_mut() else {
            return;
        };
        match write_run(&mut spilled.file, &self.memory) {
            Ok(run) => {
                spilled.runs.push(run);
                self.memory.clear();
            }
            Err(_) => self.stay_in_memory = true,
        }
    }

    /// Takes in the hashes of another reading (of a later part).
    pub(super) fn absorb(&mut self, other: RowHashes) {
        self.spilled.extend(other.spilled);
        self.stay_in_memory |= other.stay_in_memory;
        for hash in other.memory {
            self.push(hash);
        }
    }

    /// The hashes met more than once. Fails only if the temporary file
    /// cannot be read back.
    pub(super) fn repeated(mut self) -> std::io::Result<HashSet<u64>> {
        self.memory.sort_unstable();
        let mut repeated = HashSet::new();
        if self.spilled.is_empty() {
            collect_repeated(&self.memory, &mut repeated);
            return Ok(repeated);
        }
        let mut bounds = vec![0; PARTITIONS + 1];
        for (p, bound) in bounds.iter_mut().enumerate() {
            *bound = self.memory.partition_point(|&h| partition(h) < p);
        }
        let mut range: Vec<u64> = Vec::new();
        let mut bytes: Vec<u8> = Vec::new();
        for p in 0..PARTITIONS {
            range.clear();
            range.extend_from_slice(&self.memory[bounds[p]..bounds[p + 1]]);
            for spilled in &mut self.spilled {
                for run in &spilled.runs {
                    let (from, to) = (run[p], run[p + 1]);
                    bytes.resize((to - from) as usize, 0);
                    spilled.file.seek(SeekFrom::Start(from))?;
                    spilled.file.read_exact(&mut bytes)?;
                    range.extend(
                        bytes
                            .chunks_exact(8)
                            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default())),
                    );
                }
            }
            // Sorted runs one after the other: the stable sort merges them.
            range.sort();
            collect_repeated(&range, &mut repeated);
        }
        Ok(repeated)
    }
}

fn collect_repeated(sorted: &[u64], into: &mut HashSet<u64>) {
    into.extend(
        sorted
            .windows(2)
            .filter(|pair| pair[0] == pair[1])
            .map(|pair| pair[0]),
    );
}

/// Appends sorted hashes to `file`; returns where each partition's start.
/// On failure the file is cut back to where it was, so earlier runs stay
/// whole.
fn write_run(file: &mut File, sorted: &[u64]) -> std::io::Result<[u64; PARTITIONS + 1]> {
    let start = file.seek(SeekFrom::End(0))?;
    let mut run = [start; PARTITIONS + 1];
    let written = (|| {
        let mut out = BufWriter::with_capacity(1 << 16, &mut *file);
        let mut next = 0;
        for (i, hash) in sorted.iter().enumerate() {
            while next <= partition(*hash) {
                run[next] = start + 8 * i as u64;
                next += 1;
            }
            out.write_all(&hash.to_le_bytes())?;
        }
        for bound in &mut run[next..] {
            *bound = start + 8 * sorted.len() as u64;
        }
        out.flush()
    })();
    if let Err(e) = written {
        let _ = file.set_len(start);
        return Err(e);
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashes spread over every partition, with some repeated.
    fn hashes(n: u64) -> Vec<u64> {
        (0..n)
            .map(|i| (i % (n - n / 5)).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect()
    }

    fn expected(all: &[u64]) -> HashSet<u64> {
        let mut sorted = all.to_vec();
        sorted.sort_unstable();
        let mut set = HashSet::new();
        collect_repeated(&sorted, &mut set);
        set
    }

    #[test]
    fn spilled_hashes_find_the_same_repeats_as_hashes_in_memory() {
        let all = hashes(10_000);
        for limit in [1, 7, 1000, 100_000] {
            let mut kept = RowHashes::with_limit(limit);
            all.iter().for_each(|&h| kept.push(h));
            // Without a file system the hashes stay in memory.
            let spills = cfg!(feature = "fs") && limit <= all.len();
            assert_eq!(kept.spilled.is_empty(), !spills);
            assert_eq!(kept.repeated().unwrap(), expected(&all), "limit {limit}");
        }
        assert_eq!(expected(&all).len(), 2000);
    }

    #[test]
    fn hashes_of_parts_absorbed_find_repeats_across_parts() {
        let all = hashes(5_000);
        let (first, second) = all.split_at(2_345);
        let mut a = RowHashes::with_limit(300);
        let mut b = RowHashes::with_limit(300);
        first.iter().for_each(|&h| a.push(h));
        second.iter().for_each(|&h| b.push(h));
        a.absorb(b);
        assert_eq!(a.repeated().unwrap(), expected(&all));
    }

    #[test]
    fn runs_record_where_each_partition_starts() {
        let mut sorted = hashes(1_000);
        sorted.sort_unstable();
        let mut file = tempfile::tempfile().unwrap();
        write_run(&mut file, &[1, 2]).unwrap();
        let run = write_run(&mut file, &sorted).unwrap();
        assert_eq!(run[0], 16);
        assert_eq!(run[PARTITIONS], 16 + 8 * 1_000);
        for p in 0..PARTITIONS {
            let count = sorted.iter().filter(|&&h| partition(h) == p).count() as u64;
            assert_eq!(run[p + 1] - run[p], 8 * count, "partition {p}");
        }
    }
}

// Synthetic pools and reads for the front-end tests and benchmark. Errors are
// injected here from seeded streams, not by channel/ (the read front end in
// reads/ must never depend on the simulator).
#pragma once

#include <string>
#include <vector>

#include "core/dna.h"
#include "core/rng.h"
#include "dnastore/seq_io.h"

namespace dnastore::testing {

inline std::string RandomBases(Rng& rng, size_t n) {
  std::string s(n, 'A');
  for (auto& c : s) c = kBases[rng.Below(4)];
  return s;
}

// Random payload with no two equal consecutive bases (TdT transition designs).
inline std::string RandomTransitionBases(Rng& rng, size_t n) {
  std::string s;
  char prev = 0;
  while (s.size() < n) {
    char c = kBases[rng.Below(4)];
    if (c == prev) continue;
    s.push_back(c);
    prev = c;
  }
  return s;
}

struct ErrorRates {
  double sub = 0, ins = 0, del = 0;
};

// Applies substitutions/insertions/deletions; fills Phred+33 qualities that
// are high ('I') for correct bases and low ('#'..'+') for substituted or
// inserted ones when `realistic_qual`, else all 'I'.
inline void Mutate(Rng& rng, const std::string& in, const ErrorRates& e, std::string* out,
                   std::string* qual, bool realistic_qual = true) {
  out->clear();
  qual->clear();
  for (char c : in) {
    double u = rng.Uniform();
    if (u < e.del) continue;
    if (u < e.del + e.ins) {
      out->push_back(kBases[rng.Below(4)]);
      qual->push_back(realistic_qual ? static_cast<char>('#' + rng.Below(8)) : 'I');
    }
    if (rng.Uniform() < e.sub) {
      char s;
      do s = kBases[rng.Below(4)];
      while (s == c);
      out->push_back(s);
      qual->push_back(realistic_qual ? static_cast<char>('#' + rng.Below(10)) : 'I');
    } else {
      out->push_back(c);
      qual->push_back(realistic_qual ? static_cast<char>('5' + rng.Below(21)) : 'I');
    }
  }
}

inline const std::string kTestFwd = "ACACGACGCTCTTCCGATCT";
inline const std::string kTestRev = "GTTCGTCTTCTGCCGTATGC";

struct SyntheticPool {
  std::vector<std::string> payloads;
  std::vector<SeqRecord> reads;
  std::vector<int> read_oligo;  // oligo of each read, -1 for junk
  std::vector<int> coverage;    // reads per oligo
};

struct PoolSpec {
  size_t oligos = 200;
  size_t payload_nt = 150;
  double mean_coverage = 10;
  ErrorRates errors{0.002, 0.0003, 0.0005};
  double reverse_fraction = 0.5;
  double junk_fraction = 0.05;
  bool poisson_coverage = true;
  // Primers attached after synthesis: errors only in the payload.
  bool primers_attached = false;
  uint64_t seed = 1;
};

// Builds oligos FWD + payload + RC(REV), samples reads (Poisson coverage),
// mutates them, reverse-complements about half, and mixes in junk (random
// reads, primer dimers, reads with foreign primers), then shuffles.
inline SyntheticPool MakePool(const PoolSpec& spec) {
  SyntheticPool pool;
  Rng rng(spec.seed, 0);
  const std::string rev_rc = ReverseComplement(kTestRev);
  for (size_t i = 0; i < spec.oligos; ++i)
    pool.payloads.push_back(RandomBases(rng, spec.payload_nt));
  pool.coverage.assign(spec.oligos, 0);
  std::vector<std::pair<int, SeqRecord>> reads;
  std::string m, q;
  for (size_t i = 0; i < spec.oligos; ++i) {
    Rng r(spec.seed, 1000 + i);
    uint64_t cov = spec.poisson_coverage ? r.Poisson(spec.mean_coverage)
                                         : static_cast<uint64_t>(spec.mean_coverage);
    const std::string oligo = kTestFwd + pool.payloads[i] + rev_rc;
    for (uint64_t c = 0; c < cov; ++c) {
      if (spec.primers_attached) {
        Mutate(r, pool.payloads[i], spec.errors, &m, &q);
        m = kTestFwd + m + rev_rc;
        q = std::string(kTestFwd.size(), 'I') + q + std::string(rev_rc.size(), 'I');
      } else {
        Mutate(r, oligo, spec.errors, &m, &q);
      }
      SeqRecord rec;
      rec.name = std::to_string(i);  // oligo index, then copy number
      rec.name.append(1, '_').append(std::to_string(c));
      if (r.Uniform() < spec.reverse_fraction) {
        rec.seq = ReverseComplement(m);
        rec.qual.assign(q.rbegin(), q.rend());
      } else {
        rec.seq = m;
        rec.qual = q;
      }
      reads.emplace_back(static_cast<int>(i), std::move(rec));
      ++pool.coverage[i];
    }
  }
  const size_t n_junk = static_cast<size_t>(spec.junk_fraction * static_cast<double>(reads.size()));
  for (size_t j = 0; j < n_junk; ++j) {
    SeqRecord rec;
    rec.name = std::string("junk").append(std::to_string(j));
    switch (j % 3) {
      case 0:
        rec.seq = RandomBases(rng, spec.payload_nt + 40);
        break;
      case 1:
        rec.seq = kTestFwd + rev_rc;  // primer dimer
        break;
      default:
        rec.seq = RandomBases(rng, 20) + RandomBases(rng, spec.payload_nt) + RandomBases(rng, 20);
        break;
    }
    rec.qual.assign(rec.seq.size(), 'I');
    reads.emplace_back(-1, std::move(rec));
  }
  // Fisher-Yates shuffle.
  for (size_t i = reads.size(); i > 1; --i) std::swap(reads[i - 1], reads[rng.Below(i)]);
  for (auto& [o, rec] : reads) {
    pool.read_oligo.push_back(o);
    pool.reads.push_back(std::move(rec));
  }
  return pool;
}

}  // namespace dnastore::testing

// What an archive is made of: the oligo geometry a pool is designed with and
// the parameters its self-describing header carries (docs/format_v1.md).
//
// These are plain values: copy them, edit them, compare them. Defaults give a
// working design (built-in primers, 150-nt payload, direct mapping, the usual
// synthesis constraints), so `OligoGeometry{}` and `EncodeOptions{}` encode
// as they are.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace dnastore {

// Format limits: one home for the numbers every stage checks against.
inline constexpr int kFormatVersion = 1;  // format_v1.md: RS(255) stripes
inline constexpr char kCodecId[] = "dnastore-rs255";
inline constexpr int kFormatVersion2 = 2;  // format_v2.md: two-level RS product code
inline constexpr char kCodecIdV2[] = "dnastore-pc255";
inline constexpr int kMinPayloadNt = 64;   // shortest payload (nt between the primers)
inline constexpr int kMaxPayloadNt = 400;  // longest payload
inline constexpr int kMinPrimerNt = 16;    // primers of an archive: 16..32 nt of A, C, G, T
inline constexpr int kMaxPrimerNt = 32;
// Built-in primers: 20 nt, GC 50%, no homopolymer > 2, checked in tests.
inline constexpr char kDefaultFwdPrimer[] = "CAGTGACTCAGCAGTACGTC";
inline constexpr char kDefaultRevPrimer[] = "GACTGCTCTGATCGAGTGAC";

// How frame bits become bases.
//  kDirect: 2 bits/nt after whitening (phosphoramidite synthesis).
//  kTransition: no two equal adjacent payload bases; each base stores one trit
//    as the transition from the previous one (terminator-free TdT synthesis:
//    run lengths carry no data and are collapsed on reading).
enum class Mapping : uint8_t { kDirect = 0, kTransition = 1 };

// Constraints every oligo (primers included) satisfies.
struct Constraints {
  int max_homopolymer = 3;  // longest run of one base, nt
  double gc_min = 0.40;     // GC fraction of the whole oligo, inclusive bounds
  double gc_max = 0.60;
};

// Shape of every oligo of a pool: fwd primer | payload | revcomp(rev primer).
struct OligoGeometry {
  std::string fwd_primer = kDefaultFwdPrimer;  // 5'->3', starts every oligo
  std::string rev_primer = kDefaultRevPrimer;  // 5'->3'; oligos end with its reverse complement
  int payload_nt = 150;                        // kMinPayloadNt..kMaxPayloadNt
  Mapping mapping = Mapping::kDirect;
  Constraints constraints;
  // Total oligo length in nt, primers included.
  int length_nt() const {
    return static_cast<int>(fwd_primer.size() + rev_primer.size()) + payload_nt;
  }
};

// Everything the archive header records: enough to decode with no side file.
struct ArchiveParams {
  OligoGeometry geometry;
  int version = kFormatVersion;  // kFormatVersion (v1) or kFormatVersion2
  // v1: data and parity oligos per full codeword. v2: data and parity slots
  // of every row of a product block (a row is RS(rs_k + rs_p, rs_k)).
  int rs_k = 0;
  int rs_p = 0;
  int stripe_blocks = 0;           // v1: codeword groups (B) per stripe; v2: 0
  int data_rows = 0;               // v2: data rows of a full product block
  int row_parity = 0;              // v2: parity rows of a full product block
  int data_bytes = 0;              // D: file bytes per oligo
  int index_bits = 0;              // width of the oligo index field
  int header_copies = 0;           // replicas of each header chunk
  uint64_t file_size = 0;          // bytes of the original file
  std::array<uint8_t, 16> hash{};  // XXH3-128 of the file, big-endian
  std::string file_name;           // as stored; sanitise before showing or using it
};

// The hash as 32 lower-case hex digits (for reports). Pure; thread-safe.
std::string HashHex(const std::array<uint8_t, 16>& hash);

}  // namespace dnastore

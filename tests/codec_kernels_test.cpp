// Fast kernels against slow reference twins: GF(2^8) arithmetic, Reed-Solomon
// encoding and decoding, constrained mapping, frames and header.
#include <gtest/gtest.h>
#include <isa-l/erasure_code.h>

#include <algorithm>
#include <array>
#include <numeric>

#include "codec/archive_header.h"
#include "codec/archive_layout.h"
#include "codec/base_mapper.h"
#include "codec/data_frame.h"
#include "codec/gf256.h"
#include "codec/product_code.h"
#include "codec/reed_solomon.h"
#include "core/dna.h"
#include "core/rng.h"

using namespace dnastore;

TEST(Gf256, TablesMatchShiftAndAddAndIsal) {
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      uint8_t m = gf256::Mul(a, b);
      ASSERT_EQ(m, gf256::MulSlow(a, b));
      ASSERT_EQ(m, gf_mul(a, b));
      if (b) ASSERT_EQ(gf256::Div(m, b), a);
    }
}

TEST(ReedSolomon, IsalEncodeMatchesPolynomialDivision) {
  Rng rng(1, 1);
  for (auto [k, p] :
       std::vector<std::pair<int, int>>{{10, 4}, {215, 40}, {1, 8}, {200, 55}, {30, 1}}) {
    ReedSolomon rs(k, p);
    const size_t len = 37;
    std::vector<std::vector<uint8_t>> bufs(k + p, std::vector<uint8_t>(len));
    for (int i = 0; i < k; ++i)
      for (auto& b : bufs[i]) b = static_cast<uint8_t>(rng.Next());
    std::vector<uint8_t*> ptrs(k + p);
    for (int i = 0; i < k + p; ++i) ptrs[i] = bufs[i].data();
    rs.Encode(len, ptrs.data(), ptrs.data() + k);
    std::vector<uint8_t> word(k), parity(p);
    for (size_t c = 0; c < len; ++c) {
      for (int i = 0; i < k; ++i) word[i] = bufs[i][c];
      rs.EncodeWordSlow(word.data(), parity.data());
      for (int j = 0; j < p; ++j) ASSERT_EQ(parity[j], bufs[k + j][c]) << k << "," << p;
    }
    // Every column is a codeword: syndromes vanish.
    std::vector<std::vector<uint8_t>> syn(p, std::vector<uint8_t>(len));
    std::vector<uint8_t*> sp(p);
    for (int r = 0; r < p; ++r) sp[r] = syn[r].data();
    rs.Syndromes(len, ptrs.data(), sp.data());
    for (auto& s : syn)
      EXPECT_TRUE(std::all_of(s.begin(), s.end(), [](uint8_t v) { return v == 0; }));
  }
}

// Brute force: the unique codeword within distance 1 (p = 2), by trying every
// single-symbol change.
static std::vector<uint8_t> BruteForceSingleError(const ReedSolomon& rs, std::vector<uint8_t> w) {
  std::vector<uint8_t> parity(rs.p());
  for (int pos = 0; pos < rs.n(); ++pos) {
    for (int v = 0; v < 256; ++v) {
      auto t = w;
      t[pos] = static_cast<uint8_t>(v);
      rs.EncodeWordSlow(t.data(), parity.data());
      if (std::equal(parity.begin(), parity.end(), t.begin() + rs.k())) return t;
    }
  }
  return {};
}

TEST(ReedSolomon, SingleErrorMatchesBruteForce) {
  ReedSolomon rs(6, 2);
  Rng rng(2, 2);
  for (int trial = 0; trial < 30; ++trial) {
    std::vector<uint8_t> w(8);
    for (int i = 0; i < 6; ++i) w[i] = static_cast<uint8_t>(rng.Next());
    rs.EncodeWordSlow(w.data(), w.data() + 6);
    auto received = w;
    received[rng.Below(8)] ^= static_cast<uint8_t>(1 + rng.Below(255));
    auto brute = BruteForceSingleError(rs, received);
    auto fast = received;
    ASSERT_EQ(rs.DecodeWord(fast.data(), {}), 1);
    EXPECT_EQ(fast, brute);
    EXPECT_EQ(fast, w);
  }
}

TEST(ReedSolomon, ErrorsAndErasuresWithinCapacity) {
  Rng rng(3, 3);
  for (int trial = 0; trial < 300; ++trial) {
    int k = 1 + static_cast<int>(rng.Below(200));
    int p = 2 + static_cast<int>(rng.Below(std::min(60, 254 - k)));
    ReedSolomon rs(k, p);
    std::vector<uint8_t> w(k + p);
    for (int i = 0; i < k; ++i) w[i] = static_cast<uint8_t>(rng.Next());
    rs.EncodeWordSlow(w.data(), w.data() + k);
    int e = static_cast<int>(rng.Below(p + 1));
    int t = static_cast<int>(rng.Below((p - e) / 2 + 1));
    std::vector<int> pos(k + p);
    std::iota(pos.begin(), pos.end(), 0);
    for (int i = 0; i < e + t; ++i) std::swap(pos[i], pos[i + rng.Below(k + p - i)]);
    auto received = w;
    std::vector<int> erasures(pos.begin(), pos.begin() + e);
    for (int i = 0; i < e + t; ++i) received[pos[i]] ^= static_cast<uint8_t>(1 + rng.Below(255));
    ASSERT_GE(rs.DecodeWord(received.data(), erasures), 0)
        << k << " " << p << " e=" << e << " t=" << t;
    ASSERT_EQ(received, w);
  }
}

TEST(ReedSolomon, BeyondCapacityNeverCrashes) {
  Rng rng(4, 4);
  ReedSolomon rs(20, 6);
  int detected = 0;
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<uint8_t> w(26);
    for (int i = 0; i < 20; ++i) w[i] = static_cast<uint8_t>(rng.Next());
    rs.EncodeWordSlow(w.data(), w.data() + 20);
    for (int i = 0; i < 5; ++i) w[rng.Below(26)] ^= static_cast<uint8_t>(1 + rng.Below(255));
    auto r = w;
    if (rs.DecodeWord(r.data(), {}) < 0) ++detected;
  }
  EXPECT_GT(detected, 400);  // most patterns past the limit are detected
}

TEST(ReedSolomon, ColumnDecodeMatchesWordDecode) {
  Rng rng(5, 5);
  for (int trial = 0; trial < 40; ++trial) {
    int k = 5 + static_cast<int>(rng.Below(150)), p = 4 + static_cast<int>(rng.Below(50));
    ReedSolomon rs(k, p);
    const size_t len = 33;
    std::vector<std::vector<uint8_t>> bufs(k + p, std::vector<uint8_t>(len));
    for (int i = 0; i < k; ++i)
      for (auto& b : bufs[i]) b = static_cast<uint8_t>(rng.Next());
    std::vector<uint8_t*> ptrs(k + p);
    for (int i = 0; i < k + p; ++i) ptrs[i] = bufs[i].data();
    rs.Encode(len, ptrs.data(), ptrs.data() + k);
    auto truth = bufs;
    int e = static_cast<int>(rng.Below(p - 1));
    std::vector<int> erasures;
    std::vector<int> pos(k + p);
    std::iota(pos.begin(), pos.end(), 0);
    for (int i = 0; i < e; ++i) std::swap(pos[i], pos[i + rng.Below(k + p - i)]);
    erasures.assign(pos.begin(), pos.begin() + e);
    for (int j : erasures)
      for (auto& b : bufs[j]) b = static_cast<uint8_t>(rng.Next());
    // One extra error in a few columns, still within capacity when e + 2 <= p.
    if (e + 2 <= p) bufs[pos[e]][3] ^= 0x5A;
    size_t failed = 0;
    ASSERT_TRUE(rs.DecodeColumns(len, ptrs.data(), erasures, &failed));
    EXPECT_EQ(failed, 0u);
    EXPECT_EQ(bufs, truth);
  }
  ReedSolomon rs(10, 3);
  std::vector<std::vector<uint8_t>> bufs(13, std::vector<uint8_t>(4));
  std::vector<uint8_t*> ptrs(13);
  for (int i = 0; i < 13; ++i) ptrs[i] = bufs[i].data();
  size_t failed = 0;
  EXPECT_FALSE(rs.DecodeColumns(4, ptrs.data(), {0, 1, 2, 3}, &failed));
}

static OligoGeometry DefaultGeometry(Mapping m) {
  OligoGeometry g;
  g.fwd_primer = kDefaultFwdPrimer;
  g.rev_primer = kDefaultRevPrimer;
  g.payload_nt = 150;
  g.mapping = m;
  return g;
}

TEST(Primers, BuiltInPrimersObeyConstraints) {
  for (std::string p : {kDefaultFwdPrimer, kDefaultRevPrimer}) {
    EXPECT_EQ(p.size(), 20u);
    EXPECT_LE(MaxHomopolymer(p), 3);
    EXPECT_GE(GcFraction(p), 0.4);
    EXPECT_LE(GcFraction(p), 0.6);
  }
}

TEST(Mapper, RoundTripAndConstraintsBothMappings) {
  for (Mapping m : {Mapping::kDirect, Mapping::kTransition}) {
    std::string err;
    OligoGeometry g = DefaultGeometry(m);
    auto mapper = MakeMapper(g, &err);
    ASSERT_TRUE(mapper) << err;
    Rng rng(6, static_cast<int>(m));
    const int bytes = FrameBytes(mapper->body_bits());
    for (int trial = 0; trial < 2000; ++trial) {
      std::vector<uint8_t> frame(bytes + 8, 0), back(bytes + 8, 0);
      // Include degenerate frames (all zero, all one) that stress constraints.
      for (int i = 0; i < bytes; ++i)
        frame[i] = trial % 3 == 0 ? 0 : trial % 3 == 1 ? static_cast<uint8_t>(rng.Next()) : 0xFF;
      if (mapper->body_bits() % 8)
        frame[bytes - 1] &= static_cast<uint8_t>(0xFF << (8 - mapper->body_bits() % 8));
      FrameKind kind = trial % 2 ? FrameKind::kData : FrameKind::kHeader;
      std::string oligo;
      ASSERT_TRUE(mapper->Map(frame.data(), kind, &oligo));
      ASSERT_EQ(CheckOligoConstraints(oligo, g), "") << oligo;
      ASSERT_TRUE(mapper->Demap(std::string_view(oligo).substr(20, 150), kind, back.data()));
      ASSERT_TRUE(std::equal(frame.begin(), frame.begin() + bytes, back.begin()))
          << "mapping " << static_cast<int>(m) << " trial " << trial << " bytes " << bytes;
    }
  }
}

// The direct mapping's Demap is linear in each body base: frame nt j is the
// read base's code XOR the seed's keystream. So changing body bases of a
// mapped payload (to other bases, N, lower case or IUPAC codes, which read
// as A) flips exactly those frame nts, by the XOR of the two codes: a slow
// per-base twin of the word-at-a-time Demap that needs no keystream.
TEST(Mapper, DemapOfReadErrorsMatchesPerBaseTwin) {
  for (int payload_nt : {150, 151, 153, 200}) {
    OligoGeometry g = DefaultGeometry(Mapping::kDirect);
    g.payload_nt = payload_nt;
    std::string err;
    auto mapper = MakeMapper(g, &err);
    ASSERT_TRUE(mapper) << err;
    const int bytes = FrameBytes(mapper->body_bits());
    const int body_nt = mapper->body_bits() / 2, seed_nt = payload_nt - body_nt;
    auto code = [](char c) { return BaseCode(c) < 0 ? 0 : BaseCode(c); };
    Rng rng(6, payload_nt);
    const char kReadBases[] = "ACGTacgtNRY";
    for (int trial = 0; trial < 500; ++trial) {
      std::vector<uint8_t> frame(bytes + 8, 0), back(bytes + 8, 0xAA);
      for (int i = 0; i < bytes; ++i) frame[i] = static_cast<uint8_t>(rng.Next());
      if (mapper->body_bits() % 8)
        frame[bytes - 1] &= static_cast<uint8_t>(0xFF << (8 - mapper->body_bits() % 8));
      std::string oligo;
      ASSERT_TRUE(mapper->Map(frame.data(), FrameKind::kData, &oligo));
      std::string read = oligo.substr(g.fwd_primer.size(), payload_nt);
      std::vector<uint8_t> want(frame.begin(), frame.begin() + bytes);
      for (int e = 0; e < 1 + trial % 6; ++e) {
        const int j = static_cast<int>(rng.Below(body_nt));
        const char now = kReadBases[rng.Below(sizeof(kReadBases) - 1)];
        const int flip = code(read[seed_nt + j]) ^ code(now);
        read[seed_nt + j] = now;
        want[j >> 2] ^= static_cast<uint8_t>(flip << (6 - 2 * (j & 3)));
      }
      ASSERT_TRUE(mapper->Demap(read, FrameKind::kData, back.data()));
      ASSERT_TRUE(std::equal(want.begin(), want.end(), back.begin()))
          << "payload " << payload_nt << " trial " << trial;
    }
  }
}

TEST(Mapper, FastConstraintCheckMatchesSlowTwin) {
  OligoGeometry g = DefaultGeometry(Mapping::kDirect);
  std::string err;
  auto mapper = MakeMapper(g, &err);
  ASSERT_TRUE(mapper);
  Rng rng(7, 7);
  int accepted = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string payload(150, 'A');
    for (auto& c : payload) c = kBases[rng.Below(4)];
    if (trial % 5 == 0) {  // plant a primer or its reverse complement inside
      std::string p =
          trial % 10 ? ReverseComplement(kDefaultRevPrimer) : std::string(kDefaultFwdPrimer);
      payload.replace(rng.Below(130), 20, p);
    }
    if (trial % 7 == 0) payload.replace(rng.Below(140), 5, std::string(4 + rng.Below(2), 'G'));
    std::string oligo =
        std::string(kDefaultFwdPrimer) + payload + ReverseComplement(kDefaultRevPrimer);
    bool slow = CheckOligoConstraints(oligo, g).empty();
    ASSERT_EQ(mapper->SatisfiesConstraints(oligo), slow) << oligo;
    accepted += slow;
  }
  EXPECT_GT(accepted, 1000);
}

TEST(Mapper, RejectsBadGeometry) {
  std::string err;
  OligoGeometry g = DefaultGeometry(Mapping::kDirect);
  g.fwd_primer = "AAAAACGTACGTACGTACGT";
  EXPECT_FALSE(MakeMapper(g, &err));
  EXPECT_NE(err.find("homopolymer"), std::string::npos);
  g = DefaultGeometry(Mapping::kDirect);
  g.payload_nt = 20;
  EXPECT_FALSE(MakeMapper(g, &err));
  g = DefaultGeometry(Mapping::kDirect);
  g.constraints.gc_min = 0.7;
  EXPECT_FALSE(MakeMapper(g, &err));
}

TEST(Frames, DataFrameRoundTripAndCrc) {
  ArchiveParams p;
  p.geometry = DefaultGeometry(Mapping::kDirect);
  p.rs_k = 210;
  p.rs_p = 45;
  p.stripe_blocks = 64;
  p.file_size = 1 << 20;
  ASSERT_TRUE(ChooseFrameLayout(p, 292).ok());
  EXPECT_EQ(p.data_bytes, 33);
  Rng rng(8, 8);
  std::vector<uint8_t> data(p.data_bytes), frame(FrameBytes(292)), back(p.data_bytes);
  int undetected = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    for (auto& b : data) b = static_cast<uint8_t>(rng.Next());
    uint64_t index = rng.Below(1 << 15);
    PackDataFrame(p, index, data.data(), frame.data());
    uint64_t got = 0;
    ASSERT_TRUE(UnpackDataFrame(p, 292, frame.data(), &got, back.data()));
    ASSERT_EQ(got, index);
    ASSERT_EQ(back, data);
    frame[rng.Below(frame.size() - 1)] ^= static_cast<uint8_t>(1 << rng.Below(8));
    if (UnpackDataFrame(p, 292, frame.data(), &got, back.data())) ++undetected;
  }
  EXPECT_LT(undetected, 40);  // CRC-8 catches every single-bit error in the covered bytes
}

TEST(Header, SerializeParseAndChunks) {
  ArchiveParams p;
  p.geometry = DefaultGeometry(Mapping::kTransition);
  p.rs_k = 210;
  p.rs_p = 45;
  p.stripe_blocks = 64;
  p.data_bytes = 24;
  p.index_bits = 26;
  p.header_copies = 8;
  p.file_size = 123456789;
  p.hash[3] = 7;
  p.file_name = "photo.jpg";
  auto bytes = SerializeHeader(p);
  auto back = ParseHeader(bytes);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->file_name, "photo.jpg");
  EXPECT_EQ(back->file_size, 123456789u);
  EXPECT_EQ(back->geometry.mapping, Mapping::kTransition);
  EXPECT_EQ(back->hash, p.hash);
  bytes[10] ^= 1;
  EXPECT_FALSE(ParseHeader(bytes).ok());
  bytes[10] ^= 1;
  const int body_bits = 292, chunk = HeaderChunkBytes(body_bits);
  const int total = static_cast<int>((bytes.size() + chunk - 1) / chunk);
  HeaderAssembler asmb;
  std::vector<uint8_t> frame(FrameBytes(body_bits));
  for (int seq = total - 1; seq >= 0; --seq) {
    PackHeaderFrame(body_bits, bytes, seq, total, 0, frame.data());
    auto c = UnpackHeaderFrame(body_bits, frame.data());
    ASSERT_TRUE(c);
    asmb.Add(*c);
    if (seq > 0) EXPECT_FALSE(asmb.Assemble());
  }
  auto assembled = asmb.Assemble();
  ASSERT_TRUE(assembled);
  EXPECT_EQ(assembled->file_name, "photo.jpg");
}

TEST(Layout, IndicesCoverTheFileExactlyOnce) {
  for (uint64_t size : {1ull, 1000ull, 33ull * 210 * 4, 33ull * 210 * 4 + 1, 5000000ull}) {
    ArchiveParams p;
    p.geometry = DefaultGeometry(Mapping::kDirect);
    p.rs_k = 210;
    p.rs_p = 45;
    p.stripe_blocks = 4;
    p.file_size = size;
    ASSERT_TRUE(ChooseFrameLayout(p, 292).ok());
    ArchiveLayout layout(p);
    uint64_t next_index = 0, next_offset = 0;
    for (uint64_t s = 0; s < layout.num_stripes(); ++s) {
      StripeLayout st = layout.Stripe(s);
      EXPECT_EQ(st.first_index, next_index);
      EXPECT_EQ(st.data_offset, next_offset);
      EXPECT_LE(st.n(), 255);
      next_index += st.oligos();
      next_offset += static_cast<uint64_t>(st.k) * st.blocks * p.data_bytes;
      EXPECT_EQ(layout.StripeOf(st.first_index), s);
    }
    EXPECT_EQ(next_index, layout.total_oligos());
    EXPECT_GE(next_offset, size);
    EXPECT_LT(next_offset - size, static_cast<uint64_t>(p.data_bytes) * 4 * 210);
    EXPECT_GE(1ull << p.index_bits, layout.total_oligos());
  }
}

// ------------------------------------------------------------ product code --

// A block of random data frames, parity left zero.
static std::vector<uint8_t> RandomBlock(const ProductCode& pc, size_t d, uint64_t seed) {
  std::vector<uint8_t> block(static_cast<size_t>(pc.rows()) * pc.slots() * d, 0);
  Rng rng(seed, 3);
  for (int r = 0; r < pc.data_rows(); ++r)
    for (int s = 0; s < pc.data_slots(); ++s)
      for (size_t b = 0; b < d; ++b)
        block[(static_cast<size_t>(r) * pc.slots() + s) * d + b] = static_cast<uint8_t>(rng.Next());
  return block;
}

TEST(ProductCode, EncodeMatchesSlowTwin) {
  for (auto [rows, slots, rp, sp] :
       {std::array<int, 4>{20, 30, 3, 5}, {255, 255, 4, 12}, {7, 255, 1, 40}, {3, 5, 0, 2}}) {
    ProductCode pc(rows, slots, rp, sp);
    std::vector<uint8_t> fast = RandomBlock(pc, 34, rows), slow = fast;
    pc.Encode(34, fast.data());
    pc.EncodeSlow(34, slow.data());
    EXPECT_EQ(fast, slow) << rows << "x" << slots;
  }
}

TEST(ProductCode, ErasuresBeyondEitherCodeAloneAreFilled) {
  ProductCode pc(40, 60, 4, 6);
  const size_t d = 33;
  std::vector<uint8_t> want = RandomBlock(pc, d, 5);
  pc.Encode(d, want.data());
  for (double loss : {0.05, 0.10}) {
    std::vector<uint8_t> got = want, erased(40 * 60, 0);
    Rng rng(6, static_cast<uint64_t>(loss * 100));
    int worst_row = 0;
    for (int r = 0; r < 40; ++r) {
      int n = 0;
      for (int s = 0; s < 60; ++s)
        if (rng.Uniform() < loss) {
          erased[r * 60 + s] = 1;
          std::fill_n(got.begin() + (r * 60 + s) * d, d, 0x5A);
          ++n;
        }
      worst_row = std::max(worst_row, n);
    }
    ASSERT_GT(worst_row, 6) << "some row needs the columns";
    ProductCode::DecodeResult res = pc.Decode(d, got.data(), &erased);
    EXPECT_EQ(res.erasures_left, 0u) << loss;
    EXPECT_EQ(got, want) << loss;
  }
}

TEST(ProductCode, ErrorsAreCorrectedAndTooManyErasuresStay) {
  ProductCode pc(30, 50, 4, 6);
  const size_t d = 20;
  std::vector<uint8_t> want = RandomBlock(pc, d, 7);
  pc.Encode(d, want.data());
  // Wrong bytes in a few frames nobody marked: rows (or columns) correct them.
  std::vector<uint8_t> got = want, erased(30 * 50, 0);
  for (int k = 0; k < 12; ++k) got[(static_cast<size_t>(k * 7) % 30 * 50 + k * 3) * d + k] ^= 0x33;
  ProductCode::DecodeResult res = pc.Decode(d, got.data(), &erased);
  EXPECT_EQ(got, want);
  EXPECT_GT(res.words_corrected, 0u);
  // A 5 x 7 rectangle of losses is a stopping set: every row and column it
  // crosses has more erasures than parity. Nothing is claimed filled.
  got = want;
  std::fill(erased.begin(), erased.end(), 0);
  for (int r = 0; r < 5; ++r)
    for (int s = 0; s < 7; ++s) erased[r * 50 + s] = 1;
  res = pc.Decode(d, got.data(), &erased);
  EXPECT_EQ(res.erasures_left, 35u);
}

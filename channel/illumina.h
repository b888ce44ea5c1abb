// Illumina sequencing (dt4dds iseq100; ART profiles): substitution-dominated
// errors whose rate rises toward the read end, a higher rate on mate 2,
// NovaSeq-style binned qualities, and paired-end templates with adapter
// read-through.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "channel/mutation.h"
#include "core/rng.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {

struct QualityModel;

// Illumina error profile over read position r of a read of length n: a small
// bump on the first bases and a quadratic rise over the last third up to
// `end_factor`, normalised to mean 1 (so the configured rate is the mean).
struct IlluminaProfile {
  double end_factor;
  double Mean(uint32_t n) const {
    double nn = std::max<double>(n, 1);
    return 1.0 + 0.5 * 2.5415 / nn + (end_factor - 1.0) / 9.0;
  }
  double Raw(uint32_t r, uint32_t n) const {
    double x = n > 1 ? static_cast<double>(r) / (n - 1) : 0;
    double tail = x > 2.0 / 3.0 ? (x - 2.0 / 3.0) * 3.0 : 0.0;
    return 1.0 + 0.5 * std::exp(-0.5 * r) + (end_factor - 1.0) * tail * tail;
  }
  double Max() const { return 1.5 + (end_factor - 1.0); }
};

// The Illumina parts of a sequencing stage: mate 2's substitution rate
// (mate 1 or single-end keeps substitution_rate) and the position profile.
void SetIlluminaErrors(const SequencingParams& sq, int mate, StageModel& s);

// Fills the bank rows (q.row_len each) and the error qualities with
// NovaSeq-style 4-bin qualities.
void FillIlluminaQualities(Rng& rng, QualityModel& q);

// The mate templates of a fragment (SimulatedRead, paired-end): template 1 =
// the fragment in read orientation + adapter_r1, template 2 = its reverse
// complement + adapter_r2, each padded with dark-cycle G's to at least
// read_length_nt + 32.
void BuildMateTemplates(const View& fragment, bool reverse, const SequencingParams& sq,
                        std::string (&templates)[2]);

}  // namespace dnastore::channel

// The keys of a ChannelConfig, written once. Each line of the Visit*Keys
// functions below names a TOML key, binds it to its field and states which
// values are valid. Walking this table with a visitor is how a config is
// written (ConfigToToml), read (ApplyConfigToml) and checked
// (ValidateConfig), always in the order below, which is the order of
// --dump-config; when several values are invalid, the first in this order is
// reported. To add a key, add its field to dnastore/channel_config.h and one
// line here.
//
// A visitor provides (KeyVisitor has a no-op default for each):
//   Section(name)                   a [section] starts
//   Model(key, name, set)           the stage's model: its current name, and
//                                   `set`, which resets the stage to a model
//   Number(key, field, range)       a double, int or uint64_t
//   Flag(key, field)                a bool
//   Text(key, field)                a string
//   Weights(key, field)             relative weights (indel lengths 1, 2, ...)
//   Bias(key, field)                a 4x4 substitution bias
//   BaseWeights(key, field, range)  one weight per base A, C, G, T
//   RunLengths(key, field, range)   TdT run-length means [prev][cur]
//   Gap()                           a blank line in the listing
//   Derived(name, value, range)     a range rule over a value computed from
//                                   several keys (validation only)
//   Rule(ok, message)               any other rule across keys (validation only)
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "dnastore/channel_config.h"
#include "dnastore/status.h"

namespace dnastore::channel {

// Valid values of a number: [lo, hi] (NaN is never valid), or unchecked.
struct Range {
  double lo = 0, hi = 0;
  bool checked = true;
};
inline constexpr Range kUnchecked{0, 0, false};

using RunLengthMeans = std::array<std::array<double, 4>, 5>;
using ModelSetter = Status (*)(ChannelConfig&, std::string_view);

inline bool IsAcgt(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return ch == 'A' || ch == 'C' || ch == 'G' || ch == 'T'; });
}

// One function per section; `Params` may be const.
template <typename Params, typename V>
void VisitSynthesisKeys(Params& s, V& v) {
  v.Section("synthesis");
  v.Model("model", SynthesisModelName(s.model), &SetSynthesisModel);
  v.Number("copy_sigma", s.copy_sigma, {0, 5});
  v.Number("dropout_fraction", s.dropout_fraction, {0, 0.99});
  v.Number("substitution_rate", s.substitution_rate, {0, 0.5});
  v.Number("deletion_rate", s.deletion_rate, {0, 0.5});
  v.Number("insertion_rate", s.insertion_rate, {0, 0.5});
  v.Derived("substitution_rate + deletion_rate + insertion_rate",
            s.substitution_rate + s.deletion_rate + s.insertion_rate, {0, 0.9});
  v.Weights("deletion_length_weights", s.deletion_length_weights);
  v.Weights("insertion_length_weights", s.insertion_length_weights);
  v.Bias("substitution_bias", s.substitution_bias);
  v.Number("rate_sigma", s.rate_sigma, {0, 3});
  v.Number("deletion_5p_excess", s.deletion_5p_excess, {0, 100});
  v.Number("deletion_5p_decay_nt", s.deletion_5p_decay_nt, {0.1, 1000});
  v.Number("truncation_rate", s.truncation_rate, {0, 0.1});
  v.Number("missed_cycle_rate", s.missed_cycle_rate, {0, 0.9});
  v.RunLengths("run_length_mean", s.run_length_mean,
               {s.model == SynthesisModel::kTdt ? 1.0 : 0.0, 20});
  v.Number("coupling_yield", s.coupling_yield, {0.5, 1});
  v.Number("capped_fraction", s.capped_fraction, {0, 1});
  v.Number("n_plus_one_rate", s.n_plus_one_rate, {0, 0.5});
  v.Flag("primers_attached", s.primers_attached);
  v.Number("variant_coverage", s.variant_coverage, {0, 1e6});
  v.Number("primer_5p_nt", s.primer_5p_nt, {0, 1000});
  v.Number("primer_3p_nt", s.primer_3p_nt, {0, 1000});
}

template <typename Params, typename V>
void VisitPcrKeys(Params& p, V& v) {
  v.Section("pcr");
  v.Model("polymerase", p.polymerase, &SetPolymerase);
  v.Number("cycles", p.cycles, {0, 100});
  v.Number("efficiency", p.efficiency, {0, 1});
  v.Number("efficiency_sd", p.efficiency_sd, {0, 0.5});
  v.Number("substitution_rate_per_cycle", p.substitution_rate_per_cycle, {0, 0.01});
  v.Number("fidelity", p.fidelity, {1e-3, 1e6});
  v.Bias("substitution_bias", p.substitution_bias);
}

template <typename Params, typename V>
void VisitDecayKeys(Params& d, V& v) {
  v.Section("decay");
  v.Number("halflives", d.halflives, {0, 50});
  v.Number("substitution_rate_per_halflife", d.substitution_rate_per_halflife, {0, 0.01});
  v.Bias("substitution_bias", d.substitution_bias);
  v.BaseWeights("break_base_weights", d.break_base_weights, {0, 1e6});
  v.Rule(!(d.break_base_weights[0] + d.break_base_weights[1] + d.break_base_weights[2] +
               d.break_base_weights[3] <=
           0),
         "decay.break_base_weights must have a positive entry");
}

template <typename Params, typename V>
void VisitSamplingKeys(Params& a, V& v) {
  v.Section("sampling");
  v.Number("coverage_x", a.coverage_x, a.read_count == 0 ? Range{1e-6, 1e6} : kUnchecked);
  v.Number("read_count", a.read_count, kUnchecked);
  v.Number("physical_redundancy", a.physical_redundancy, {0, 1e6});
  v.Flag("fixed_coverage", a.fixed_coverage);
  v.Rule(!a.fixed_coverage || (a.read_count == 0 && a.coverage_x >= 1 && a.coverage_x <= 1e6),
         "sampling.fixed_coverage needs coverage_x in [1, 1e6] reads per oligo and no read_count");
}

template <typename Params, typename V>
void VisitSequencingKeys(Params& q, V& v) {
  v.Section("sequencing");
  v.Model("model", SequencingModelName(q.model), &SetSequencingModel);
  v.Number("substitution_rate", q.substitution_rate, {0, 0.5});
  v.Number("insertion_rate", q.insertion_rate, {0, 0.5});
  v.Number("deletion_rate", q.deletion_rate, {0, 0.5});
  v.Number("substitution_rate_r2", q.substitution_rate_r2, {0, 0.5});
  v.Number("end_error_factor", q.end_error_factor, {1, 20});
  v.Number("homopolymer_error_factor", q.homopolymer_error_factor, {0, 20});
  v.Number("homopolymer_min_nt", q.homopolymer_min_nt, {2, 1000});
  v.Number("reverse_fraction", q.reverse_fraction, {0, 1});
  v.Number("rate_sigma", q.rate_sigma, {0, 3});
  v.Weights("deletion_length_weights", q.deletion_length_weights);
  v.Weights("insertion_length_weights", q.insertion_length_weights);
  v.Gap();
  v.Flag("paired", q.paired);
  // Paired-end mates are Illumina reads (2 x 300 nt is the longest run sold):
  // a longer mate would only add dark-cycle padding, so it is refused rather
  // than written (2 x 100 kb mates of a 3 kB pool were 1.8 GB of 'G').
  v.Number("read_length_nt", q.read_length_nt, {1, kMaxMateNt});
  v.Text("adapter_r1", q.adapter_r1);
  v.Text("adapter_r2", q.adapter_r2);
  v.Rule(IsAcgt(q.adapter_r1) && IsAcgt(q.adapter_r2),
         "sequencing.adapter_r1/adapter_r2 must be ACGT only");
  v.Bias("substitution_bias", q.substitution_bias);
  v.Rule(!((q.substitution_rate + q.insertion_rate + q.deletion_rate) *
               std::max({q.end_error_factor, q.homopolymer_error_factor, 1.0}) >
           0.95),
         "sequencing rates x end_error_factor/homopolymer_error_factor exceed 0.95 per nt");
  v.Rule(
      !(q.paired && q.model != SequencingModel::kIllumina && q.model != SequencingModel::kPerfect),
      "sequencing.paired is only supported for illumina or perfect sequencing");
}

// The whole table, section by section. `Config` is ChannelConfig or const
// ChannelConfig.
template <typename Config, typename V>
void VisitConfigKeys(Config& c, V& v) {
  VisitSynthesisKeys(c.synthesis, v);
  VisitPcrKeys(c.pcr, v);
  VisitDecayKeys(c.decay, v);
  VisitSamplingKeys(c.sampling, v);
  VisitSequencingKeys(c.sequencing, v);
}

// No-op defaults for every visitor call: a visitor overrides what it uses.
struct KeyVisitor {
  void Section(const char*) {}
  void Model(const char*, const std::string&, ModelSetter) {}
  template <typename T>
  void Number(const char*, T&, Range) {}
  template <typename T>
  void Flag(const char*, T&) {}
  template <typename T>
  void Text(const char*, T&) {}
  template <typename T>
  void Weights(const char*, T&) {}
  template <typename T>
  void Bias(const char*, T&) {}
  template <typename T>
  void BaseWeights(const char*, T&, Range) {}
  template <typename T>
  void RunLengths(const char*, T&, Range) {}
  void Gap() {}
  void Derived(const char*, double, Range) {}
  void Rule(bool, const char*) {}
};

}  // namespace dnastore::channel

// Channel parameters: every number the simulator uses, the named presets,
// and loading/validation of TOML config files.
//
// A ChannelConfig is a plain value: copy it, edit it, validate it. Every
// default cites its source here or in docs/channel_simulator.md; presets are
// built from the per-stage model defaults below.
//
// Precedence used by `dnastore simulate` (and recommended for other callers):
//   preset  ->  config file (its `preset` key, then `model` keys, then values)
//           ->  explicit model options (reset that stage to the model's defaults)
//           ->  explicit numeric options.
//
// Thread-safety: all functions are pure (no global state) and may be called
// concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dnastore/status.h"

namespace dnastore::channel {

// Longest paired-end mate the simulator writes (Illumina runs are at most
// 2 x 300 nt; longer mates would be dark-cycle padding).
inline constexpr int kMaxMateNt = 1000;

// Synthesis chemistry.
enum class SynthesisModel {
  kNone,           // perfect synthesis: no errors, equal copy numbers unless copy_sigma > 0
  kTwist,          // phosphoramidite array, high quality (dt4dds array_synthesis_twist)
  kArrayLowQ,      // electrochemical / photolithographic array (subs, dels, ins, truncation)
  kTdt,            // terminator-free enzymatic (TdT): runs of 1+ bases per cycle
  kTdtTerminator,  // enzymatic with reversible terminators: stepwise, deletion/truncation
};

// Sequencing technology.
enum class SequencingModel {
  kPerfect,      // no sequencing errors; qualities all 'I' (Q40)
  kIllumina,     // substitution-dominated, binned Phred+33 qualities
  kNanoporeR10,  // R10.4.1: ~5.7% errors, worse in homopolymers
  kNanoporeR9,   // R9.4.1: ~10% errors, deletion-heavy
};

// A 4x4 substitution bias: weight[from][to] over A,C,G,T (diagonal ignored).
// Only relative weights per `from` row matter.
using SubstitutionBias = std::array<std::array<double, 4>, 4>;

struct SynthesisParams {
  SynthesisModel model = SynthesisModel::kTwist;
  // Log-normal sigma of the per-oligo copy number (natural log scale), mean-1 normalised.
  double copy_sigma = 0.30;
  // Per-oligo probability that an oligo is missing from the pool entirely
  // (failed spot / synthesis dropout).
  double dropout_fraction = 0.0;
  // Phosphoramidite / tdt-terminator error events per designed nt.
  double substitution_rate = 0.0;
  double deletion_rate = 0.0;
  double insertion_rate = 0.0;
  // Relative weights of deletion / insertion event lengths 1, 2, 3, ...
  std::vector<double> deletion_length_weights = {1.0};
  std::vector<double> insertion_length_weights = {1.0};
  SubstitutionBias substitution_bias{};  // all-zero = uniform
  // Deletions are likelier near the 5' end (position 0 of the designed
  // sequence): rate x (1 + excess * exp(-pos / decay_nt)), renormalised so
  // deletion_rate stays the mean over the oligo. 0 = uniform.
  double deletion_5p_excess = 0.0;
  double deletion_5p_decay_nt = 4.0;
  // Log-normal sigma of a per-molecule multiplier (mean 1) on the error rates
  // above: errors cluster in some molecules (0 = independent errors).
  double rate_sigma = 0.0;
  // Per-nt probability that chain growth stops (truncated product). Truncated
  // products lack the 5' primer and do not amplify: they only lower the yield.
  double truncation_rate = 0.0;
  // TdT (terminator-free): probability a cycle adds nothing (missed cycle).
  double missed_cycle_rate = 0.05;
  // TdT (terminator-free): mean run length (>= 1) added by one cycle of base
  // `cur` after base `prev`: run_length_mean[prev][cur]. Row 4 = no previous base.
  std::array<std::array<double, 4>, 5> run_length_mean{};
  // TdT with terminators: per-step coupling yield, share of failed couplings
  // that are capped (truncated, lost), and rate of n+1 double additions.
  double coupling_yield = 0.99;
  double capped_fraction = 0.5;
  double n_plus_one_rate = 0.001;
  // Primers attached after synthesis (by ligation, or by PCR with tailed
  // primers, as in the dt4dds workflows and many labs): the first
  // primer_5p_nt and last primer_3p_nt nt of every oligo carry no synthesis
  // errors, so reads' primers no longer measure synthesis. The TdT models
  // always attach their primers (this flag changes nothing for them).
  bool primers_attached = false;
  // dt4dds draws synthesis errors for only floor(C / P(>= 1 error)) + 1
  // copies of each sequence and multiplies them up (its
  // error_generation_error_coverage, C = 5), so one sequence's pool holds
  // that few distinct variants (6 for CustomArray's 1.56% deletions at 150
  // nt, about half of them with no error-free one). variant_coverage = C
  // reproduces that: each molecule (or read, without physical redundancy)
  // takes its synthesis errors from one of those variants. 0 = every
  // molecule its own errors, as in a real pool.
  double variant_coverage = 0;
  // Primer lengths at each end: the part of the oligo not synthesized by the
  // chemistry (TdT models, or primers_attached).
  int primer_5p_nt = 20;
  int primer_3p_nt = 20;
};

struct PcrParams {
  int cycles = 30;
  double efficiency = 0.95;       // mean per-cycle duplication probability
  double efficiency_sd = 0.0051;  // per-oligo sd of efficiency (dt4dds properties.yaml)
  // Substitutions per nt per duplication for a fidelity-1 polymerase, divided
  // by `fidelity` (dt4dds pcr_*.yaml: 1.09e-4; Q5 280, HiFi 40, Taq 1).
  double substitution_rate_per_cycle = 1.09e-4;
  double fidelity = 280.0;
  std::string polymerase = "q5";
  SubstitutionBias substitution_bias{};
};

struct DecayParams {
  double halflives = 0.0;  // storage time in half-lives of intact strands
  // C->T / G->A-dominated substitutions per nt per half-life (dt4dds aging.yaml).
  double substitution_rate_per_halflife = 1.64e-4;
  SubstitutionBias substitution_bias{};
  // Relative strand-break propensity per base A,C,G,T (dt4dds aging.yaml).
  std::array<double, 4> break_base_weights = {0.3902, 0.0488, 0.4878, 0.0732};
};

struct SamplingParams {
  double coverage_x = 30.0;  // mean reads per designed oligo
  uint64_t read_count = 0;   // if > 0, exact number of reads (overrides coverage_x)
  // Physical redundancy: mean molecules per oligo (of those present after
  // synthesis) that an aliquot takes from the stored pool before amplification (dt4dds workflows'
  // initial_coverage). Each molecule keeps its synthesis and storage errors,
  // inherited by all its reads, and amplifies by its own random factor
  // (channel/molecules.h). 0 = not modelled: every read copies a molecule of
  // its own (an unlimited pool).
  double physical_redundancy = 0;
  // Every present oligo gets exactly round(coverage_x) reads, whatever its
  // share (dt4dds-benchmark's error generator: a fixed number of copies per
  // sequence, so that only the injected errors vary). Overrides read_count.
  bool fixed_coverage = false;
};

struct SequencingParams {
  SequencingModel model = SequencingModel::kIllumina;
  // Mean error EVENTS per read nt (R1 for Illumina); an indel event removes or
  // adds 1+ bases (length weights below). All stage rates are event rates.
  double substitution_rate = 0.0;
  double insertion_rate = 0.0;
  double deletion_rate = 0.0;
  double substitution_rate_r2 = 0.0;  // Illumina mate 2 (paired mode)
  // Illumina: error rate at the last base relative to the read mean (ramps up
  // over the last third of the read); first bases are also raised slightly.
  double end_error_factor = 3.0;
  // Nanopore: multiplier of indel rates inside homopolymers of length
  // >= homopolymer_min_nt (Badread: x1.5-4.6).
  double homopolymer_error_factor = 1.0;
  int homopolymer_min_nt = 4;
  // Log-normal sigma of a per-read multiplier (mean 1) on the error rates:
  // some clusters / pores are worse than others (0 = independent errors).
  double rate_sigma = 0.0;
  // Fraction of reads reported as the reverse complement of the oligo.
  double reverse_fraction = 0.5;
  // Relative weights of sequencing deletion / insertion event lengths 1, 2, ...
  std::vector<double> deletion_length_weights = {1.0};
  std::vector<double> insertion_length_weights = {1.0};
  // Paired-end mode (Illumina): read length per mate and adapters read
  // through when the insert is shorter than the read.
  bool paired = false;
  int read_length_nt = 150;  // 1..kMaxMateNt
  std::string adapter_r1 = "AGATCGGAAGAGCACACGTCTGAACTCCAGTCA";
  std::string adapter_r2 = "AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGT";
  SubstitutionBias substitution_bias{};
};

struct ChannelConfig {
  std::string preset = "illumina";  // informational: the preset it started from
  SynthesisParams synthesis;
  PcrParams pcr;
  DecayParams decay;
  SamplingParams sampling;
  SequencingParams sequencing;
};

// Names accepted by the functions below.
// Presets: illumina, nanopore, nanopore-r9, tdt, tdt-terminator, worstcase, perfect.
std::vector<std::string> PresetNames();
// Synthesis: none, twist, array-lowq, tdt, tdt-terminator.
std::vector<std::string> SynthesisModelNames();
// Polymerases: q5, hifi, taq, none (0 cycles).
std::vector<std::string> PolymeraseNames();
// Sequencing: perfect, illumina, nanopore-r10, nanopore-r9.
std::vector<std::string> SequencingModelNames();

std::string SynthesisModelName(SynthesisModel m);
std::string SequencingModelName(SequencingModel m);

// The configuration of a named preset. Error: kUsage naming the preset and
// listing the valid names.
Result<ChannelConfig> PresetConfig(std::string_view name);

// Reset one stage of `cfg` to the defaults of a named model (all other stages
// untouched). Errors: kUsage for an unknown name.
Status SetSynthesisModel(ChannelConfig& cfg, std::string_view name);
Status SetPolymerase(ChannelConfig& cfg, std::string_view name);
Status SetSequencingModel(ChannelConfig& cfg, std::string_view name);

// Applies a TOML document (text) on top of `cfg`. `source` names it in error
// messages (usually the file path). Sections: [synthesis] [pcr] [decay]
// [sampling] [sequencing], plus an optional top-level `preset` key which
// replaces `cfg` first, and per-stage `model` / `polymerase` keys which reset
// that stage before its other keys apply. Errors: kBadInput for TOML syntax
// errors (with line), kUsage for an unknown section/key or a value of the
// wrong type or out of range (message names `section.key`).
Status ApplyConfigToml(std::string_view toml_text, std::string_view source, ChannelConfig& cfg);
// Reads `path` and calls ApplyConfigToml. Extra error: kIo if unreadable.
Status ApplyConfigFile(const std::string& path, ChannelConfig& cfg);

// Checks every value is in range. Error: kUsage naming the key
// (e.g. "pcr.efficiency must be in [0, 1], got 1.5").
Status ValidateConfig(const ChannelConfig& cfg);

// The whole configuration as a TOML document (round-trips through
// ApplyConfigToml); used for --dump-config and reproducibility reports.
std::string ConfigToToml(const ChannelConfig& cfg);

}  // namespace dnastore::channel

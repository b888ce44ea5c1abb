// Presets and per-model defaults, each with its source; the names accepted
// for presets, synthesis models, polymerases and sequencing models (one table
// per kind, so each name is written once).
#include <cctype>

#include "dnastore/channel_config.h"

namespace dnastore::channel {
namespace {

// Substitution biases [from][to] over A,C,G,T.
// dt4dds pcr_Q5.yaml (from 10.1371/journal.pone.0169774).
constexpr SubstitutionBias kQ5Bias = {{{0, 0.012, 0.075, 0.016},
                                       {0.235, 0, 0.0025, 0.16},
                                       {0.16, 0.0025, 0, 0.235},
                                       {0.016, 0.075, 0.012, 0}}};
// dt4dds pcr_hifi.yaml.
constexpr SubstitutionBias kHiFiBias = {{{0, 0.0075, 0.105, 0.0135},
                                         {0.12, 0, 0.0053, 0.245},
                                         {0.245, 0.0053, 0, 0.12},
                                         {0.0135, 0.105, 0.0075, 0}}};
// dt4dds pcr_taq.yaml.
constexpr SubstitutionBias kTaqBias = {{{0, 0.0147, 0.3028, 0.0630},
                                        {0.0150, 0, 0.0071, 0.0975},
                                        {0.0975, 0.0071, 0, 0.0150},
                                        {0.0630, 0.3028, 0.0147, 0}}};
// dt4dds aging.yaml: deamination-dominated C->T and G->A.
constexpr SubstitutionBias kAgingBias = {{{0, 0.0250, 0.0176, 0.0078},
                                          {0.0357, 0, 0.0318, 0.3820},
                                          {0.3820, 0.0318, 0, 0.0357},
                                          {0.0078, 0.0176, 0.0250, 0}}};
// dt4dds array_synthesis_photolithographic.yaml substitution bias.
constexpr SubstitutionBias kPhotoBias = {{{0, 0.085, 0.058, 0.063},
                                          {0.088, 0, 0.081, 0.063},
                                          {0.095, 0.073, 0, 0.183},
                                          {0.081, 0.063, 0.094, 0}}};
// dt4dds iseq100.yaml read-1 substitution bias.
constexpr SubstitutionBias kIlluminaBias = {{{0, 0.0029, 0.2065, 0.1684},
                                             {0.0246, 0, 0.0139, 0.1594},
                                             {0.1761, 0.0184, 0, 0.0377},
                                             {0.0203, 0.1060, 0.0657, 0}}};

SynthesisParams TwistSynthesis() {
  // dt4dds array_synthesis_twist.yaml: lognormal sigma 0.30, deletion_rate
  // 5.695e-4/nt, no substitutions or insertions; deletion lengths from
  // deletion_repeat_bias (86% single-base).
  SynthesisParams s;
  s.model = SynthesisModel::kTwist;
  s.copy_sigma = 0.30;
  s.deletion_rate = 5.695e-4;
  s.deletion_length_weights = {0.8602, 0.0612, 0.0178, 0.0111, 0.0083, 0.0072, 0.0062, 0.0054,
                               0.0048, 0.0041, 0.0037, 0.0030, 0.0023, 0.0020, 0.0016, 0.0010};
  return s;
}

SynthesisParams ArrayLowQSynthesis() {
  // Electrochemical (CustomArray-like) array synthesis. Rates fitted so that
  // array-lowq + Taq PCR + Illumina reproduces the measured dt4dds worstcase
  // pool (docs/channel_calibration.md; sub 0.92%, del 0.44%, ins 0.10% per nt
  // in reads; coverage CV 0.91 and 3.0% zero-read oligos at 30x).
  // Length distributions and substitution bias: dt4dds
  // array_synthesis_photolithographic.yaml (deletion/insertion_repeat_bias).
  // The photolithographic fit itself (sub 2.12%, del 6.83%, ins 1.36%,
  // sigma 0.44) is 5-15x worse; set those values in a config file to use it.
  SynthesisParams s;
  s.model = SynthesisModel::kArrayLowQ;
  s.copy_sigma = 0.74;
  s.dropout_fraction = 0.029;
  s.substitution_rate = 6.5e-3;
  s.deletion_rate = 3.5e-3;
  s.insertion_rate = 8.5e-4;
  s.deletion_length_weights = {0.8556, 0.1026, 0.0227, 0.0191};
  s.insertion_length_weights = {0.9275, 0.0453, 0.0126, 0.0146};
  s.substitution_bias = kPhotoBias;
  s.truncation_rate = 2e-3;
  // Error clustering: per-molecule rate multiplier fitted to the measured
  // share of error-free reads (19.8%; 17.0% with independent errors).
  s.rate_sigma = 0.42;
  // 3x deletions at the 5'-most base decaying over ~4 nt (measured worstcase
  // deletions by position: 3.08, 2.71, 2.17, 1.72, ... x the middle).
  s.deletion_5p_excess = 2.1;
  s.deletion_5p_decay_nt = 4.0;
  return s;
}

SynthesisParams TdtSynthesis() {
  // Terminator-free TdT (Lee et al., Nat. Commun. 2019): each cycle adds a
  // homopolymer run of the intended base; mean run length ~2 depending on the
  // base and the previous base; ~5% of cycles add nothing. The base-specific
  // means below are estimates to calibrate (no public per-base fit exists).
  SynthesisParams s;
  s.model = SynthesisModel::kTdt;
  s.copy_sigma = 0.30;
  s.missed_cycle_rate = 0.05;
  const double base_mean[4] = {2.3, 1.7, 1.9, 2.1};  // A, C, G, T
  for (int prev = 0; prev < 5; ++prev) {
    for (int cur = 0; cur < 4; ++cur) {
      double m = base_mean[cur];
      // After a pyrimidine, purine runs are slightly longer (estimate).
      if (prev < 4 && (prev == 1 || prev == 3) && (cur == 0 || cur == 2)) m += 0.2;
      s.run_length_mean[prev][cur] = m;
    }
  }
  return s;
}

SynthesisParams TdtTerminatorSynthesis() {
  // Reversible-terminator TdT: stepwise coupling yield 0.99 (DeSP default;
  // Palluk et al. 2018 report ~97.7% per step, sweep 0.977-0.999). A failed
  // coupling is either capped (truncated product, lost) or leaves an
  // uncapped strand that continues, i.e. a deletion. n+1 additions from
  // premature deblocking ~0.1% (Jensen & Davis 2018: estimate).
  SynthesisParams s;
  s.model = SynthesisModel::kTdtTerminator;
  s.copy_sigma = 0.30;
  s.coupling_yield = 0.99;
  s.capped_fraction = 0.5;
  s.n_plus_one_rate = 0.001;
  return s;
}

// Indel length histograms (1, 2, 3, ... nt) from samtools stats "ID" lines of
// Chandak et al. 2020 (shared/data/calibration/nanopore-chandak).
const std::vector<double> kNanoporeInsLengths = {6020629, 2898228, 991532, 364423,
                                                 135126,  52509,   20131,  8746};
const std::vector<double> kNanoporeDelLengths = {6031032, 1811501, 545105, 178820,
                                                 69182,   30076,   14898,  8124};

SequencingParams IlluminaSequencing() {
  // dt4dds iseq100.yaml: substitution 0.1123% (R1) / 0.25% (R2), rate rising
  // at read ends; indels ~1e-4 (ART Illumina profiles; LCRC pool shows
  // del > ins).
  SequencingParams q;
  q.model = SequencingModel::kIllumina;
  q.substitution_rate = 1.123e-3;
  q.substitution_rate_r2 = 2.5e-3;
  q.insertion_rate = 5e-5;
  q.deletion_rate = 1e-4;
  q.end_error_factor = 3.0;
  q.substitution_bias = kIlluminaBias;
  return q;
}

SequencingParams NanoporeR10Sequencing() {
  // Badread model analysis, R10.4.1: ~5.7% errors, sub 2.2 / ins 1.3 /
  // del 2.2%; errors x1.5-4.6 inside homopolymers >= 4 (we use 2.5).
  SequencingParams q;
  q.model = SequencingModel::kNanoporeR10;
  // Indel lengths from the Chandak et al. R9 samtools ID histogram; rates are
  // converted from per-base to per-event by the mean lengths (1.68 / 1.51).
  q.deletion_length_weights = kNanoporeDelLengths;
  q.insertion_length_weights = kNanoporeInsLengths;
  q.substitution_rate = 0.022;
  q.insertion_rate = 0.013 / 1.68;
  q.deletion_rate = 0.022 / 1.51;
  q.homopolymer_error_factor = 2.5;
  q.end_error_factor = 1.0;
  return q;
}

SequencingParams NanoporeR9Sequencing() {
  // Badread R9.4.1: ~10% errors split sub 27 / ins 18 / del 54%.
  // Chandak et al. 2020 measured ~10.5% (see docs/channel_calibration.md).
  SequencingParams q;
  q.model = SequencingModel::kNanoporeR9;
  q.deletion_length_weights = kNanoporeDelLengths;
  q.insertion_length_weights = kNanoporeInsLengths;
  q.substitution_rate = 0.027;
  q.insertion_rate = 0.018 / 1.68;
  q.deletion_rate = 0.054 / 1.51;
  q.homopolymer_error_factor = 2.0;
  q.end_error_factor = 1.0;
  return q;
}

SynthesisParams NoSynthesis() {
  // Perfect synthesis: no errors and equal copy numbers.
  SynthesisParams s;
  s.model = SynthesisModel::kNone;
  s.copy_sigma = 0.0;
  return s;
}

SequencingParams PerfectSequencing() {
  SequencingParams q;
  q.model = SequencingModel::kPerfect;
  return q;
}

// dt4dds pcr_*.yaml: base rate 1.09e-4/nt/duplication / fidelity.
PcrParams Q5Pcr() {
  PcrParams p;
  p.fidelity = 280.0;
  p.substitution_bias = kQ5Bias;
  return p;
}

PcrParams HiFiPcr() {
  PcrParams p;
  p.fidelity = 40.0;
  p.substitution_bias = kHiFiBias;
  return p;
}

PcrParams TaqPcr() {
  PcrParams p;
  p.fidelity = 1.0;
  p.substitution_bias = kTaqBias;
  return p;
}

PcrParams NoPcr() {
  PcrParams p;
  p.cycles = 0;
  p.efficiency_sd = 0.0;
  return p;
}

// ------------------------------------------------------------ name tables --

struct SynthesisEntry {
  const char* name;
  SynthesisModel model;
  SynthesisParams (*defaults)();
  const char* alias = nullptr;
};
const SynthesisEntry kSynthesisModels[] = {
    {"none", SynthesisModel::kNone, NoSynthesis},
    {"twist", SynthesisModel::kTwist, TwistSynthesis},
    {"array-lowq", SynthesisModel::kArrayLowQ, ArrayLowQSynthesis},
    {"tdt", SynthesisModel::kTdt, TdtSynthesis},
    {"tdt-terminator", SynthesisModel::kTdtTerminator, TdtTerminatorSynthesis},
};

struct PolymeraseEntry {
  const char* name;
  PcrParams (*defaults)();
  const char* alias = nullptr;
};
const PolymeraseEntry kPolymerases[] = {
    {"q5", Q5Pcr},
    {"hifi", HiFiPcr},
    {"taq", TaqPcr},
    {"none", NoPcr},  // no amplification (0 cycles)
};

struct SequencingEntry {
  const char* name;
  SequencingModel model;
  SequencingParams (*defaults)();
  const char* alias = nullptr;
};
const SequencingEntry kSequencingModels[] = {
    {"perfect", SequencingModel::kPerfect, PerfectSequencing, "none"},
    {"illumina", SequencingModel::kIllumina, IlluminaSequencing},
    {"nanopore-r10", SequencingModel::kNanoporeR10, NanoporeR10Sequencing, "nanopore"},
    {"nanopore-r9", SequencingModel::kNanoporeR9, NanoporeR9Sequencing},
};

// The dt4dds benchmark workflows (fml-ethz/dt4dds-benchmark,
// workflows/bin/workflow_{bestcase,worstcase}/run.py; Gimpel et al., Nat.
// Commun. 2026): synthesis, primers attached afterwards (error-free), PCR of
// 15 cycles, an aliquot of `initial_coverage` (default 50) molecules per
// sequence, PCR of 25 cycles at efficiency 0.95, iSeq 100 sequencing.
void Dt4ddsWorkflow(ChannelConfig& cfg) {
  cfg.synthesis.primers_attached = true;
  // dt4dds errorgenerator.py: error_generation_error_coverage = 5.
  cfg.synthesis.variant_coverage = 5;
  cfg.sampling.physical_redundancy = 50;
  cfg.pcr.cycles = 15 + 25;
  cfg.pcr.efficiency = 0.95;
  // dt4dds draws a relative efficiency N(1, 0.0051) and scales it by
  // (1 + mean): sd 0.0051 x 1.95 in absolute efficiency.
  cfg.pcr.efficiency_sd = 0.0051 * 1.95;
  // dt4dds gives every final molecule n_cycles x 1.09e-4 / fidelity
  // substitutions per nt; our lineage model counts c x e / (1 + e)
  // duplications, so the per-duplication rate is scaled to the same mean.
  cfg.pcr.substitution_rate_per_cycle = 1.09e-4 * (1 + 0.95) / 0.95;
}

// BestCase: Twist synthesis (deletion_length_bias and deletion_read_bias
// off, as the workflow sets them), Q5 polymerase.
void Dt4ddsBestCase(ChannelConfig& cfg) { Dt4ddsWorkflow(cfg); }

// WorstCase: CustomArray synthesis (array_synthesis_customarray.yaml:
// deletions 1.56% per nt, none of the other types, lengths from
// deletion_repeat_bias; copy-number sigma (0.58 + 1.30) / 2 as the workflow
// sets it; length and read biases off), Taq polymerase.
void Dt4ddsWorstCase(ChannelConfig& cfg) {
  SynthesisParams& s = cfg.synthesis;
  s.copy_sigma = (0.58 + 1.30) / 2;
  s.dropout_fraction = 0;
  s.substitution_rate = 0;
  s.insertion_rate = 0;
  s.deletion_rate = 0.01560;
  s.deletion_length_weights = {0.9048, 0.0737, 0.0117, 0.0035, 0.0017, 0.0011, 0.0009, 0.0007,
                               0.0005, 0.0004, 0.0003, 0.0003, 0.0002, 0.0001, 0.0001};
  s.insertion_length_weights = {1.0};
  s.substitution_bias = {};
  s.truncation_rate = 0;
  s.rate_sigma = 0;
  s.deletion_5p_excess = 0;
  Dt4ddsWorkflow(cfg);
}

// A preset: one model per stage (by name), decay with the aging bias, then
// an optional adjustment of the workflow's own settings.
struct PresetEntry {
  const char* name;
  const char* synthesis;
  const char* polymerase;
  const char* sequencing;
  const char* alias = nullptr;
  void (*adjust)(ChannelConfig&) = nullptr;
};
const PresetEntry kPresets[] = {
    {"illumina", "twist", "q5", "illumina"},
    {"nanopore", "twist", "q5", "nanopore-r10", "nanopore-r10"},
    {"nanopore-r9", "twist", "q5", "nanopore-r9"},
    {"tdt", "tdt", "q5", "illumina"},
    {"tdt-terminator", "tdt-terminator", "q5", "illumina"},
    {"worstcase", "array-lowq", "taq", "illumina"},
    {"dt4dds-bestcase", "twist", "q5", "illumina", nullptr, Dt4ddsBestCase},
    {"dt4dds-worstcase", "array-lowq", "taq", "illumina", nullptr, Dt4ddsWorstCase},
    {"perfect", "none", "none", "perfect"},
};

std::string Lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

// The entry named `name` (lower case) or its alias; null if none.
template <typename Entry, size_t N>
const Entry* Find(const Entry (&table)[N], std::string_view name) {
  for (const Entry& e : table)
    if (name == e.name || (e.alias && name == e.alias)) return &e;
  return nullptr;
}

template <typename Entry, size_t N>
std::vector<std::string> Names(const Entry (&table)[N]) {
  std::vector<std::string> names;
  for (const Entry& e : table) names.push_back(e.name);
  return names;
}

// "unknown <what> 'name' (valid: a, b, c)".
Status Unknown(const char* what, std::string_view name, const std::vector<std::string>& valid) {
  std::string list;
  for (size_t i = 0; i < valid.size(); ++i) list += (i ? ", " : "") + valid[i];
  return UsageError("unknown " + std::string(what) + " '" + std::string(name) +
                    "' (valid: " + list + ")");
}

}  // namespace

std::vector<std::string> PresetNames() { return Names(kPresets); }
std::vector<std::string> SynthesisModelNames() { return Names(kSynthesisModels); }
std::vector<std::string> PolymeraseNames() { return Names(kPolymerases); }
std::vector<std::string> SequencingModelNames() { return Names(kSequencingModels); }

std::string SynthesisModelName(SynthesisModel m) {
  for (const SynthesisEntry& e : kSynthesisModels)
    if (e.model == m) return e.name;
  return "?";
}

std::string SequencingModelName(SequencingModel m) {
  for (const SequencingEntry& e : kSequencingModels)
    if (e.model == m) return e.name;
  return "?";
}

Status SetSynthesisModel(ChannelConfig& cfg, std::string_view name) {
  const SynthesisEntry* e = Find(kSynthesisModels, Lower(name));
  if (!e) return Unknown("synthesis model", name, SynthesisModelNames());
  // How primers are made is the workflow's choice, not the chemistry's.
  int p5 = cfg.synthesis.primer_5p_nt, p3 = cfg.synthesis.primer_3p_nt;
  bool attached = cfg.synthesis.primers_attached;
  double variants = cfg.synthesis.variant_coverage;
  cfg.synthesis = e->defaults();
  cfg.synthesis.primer_5p_nt = p5;
  cfg.synthesis.primer_3p_nt = p3;
  cfg.synthesis.primers_attached = attached;
  cfg.synthesis.variant_coverage = variants;
  return Status::Ok();
}

Status SetPolymerase(ChannelConfig& cfg, std::string_view name) {
  const PolymeraseEntry* e = Find(kPolymerases, Lower(name));
  if (!e) return Unknown("polymerase", name, PolymeraseNames());
  cfg.pcr = e->defaults();
  cfg.pcr.polymerase = e->name;
  return Status::Ok();
}

Status SetSequencingModel(ChannelConfig& cfg, std::string_view name) {
  const SequencingEntry* e = Find(kSequencingModels, Lower(name));
  if (!e) return Unknown("sequencing model", name, SequencingModelNames());
  // Read layout is the run's choice, not the technology's.
  bool paired = cfg.sequencing.paired;
  int read_length = cfg.sequencing.read_length_nt;
  cfg.sequencing = e->defaults();
  cfg.sequencing.paired = paired;
  cfg.sequencing.read_length_nt = read_length;
  return Status::Ok();
}

Result<ChannelConfig> PresetConfig(std::string_view name) {
  const std::string n = Lower(name);
  const PresetEntry* e = Find(kPresets, n);
  if (!e) return Unknown("preset", name, PresetNames());
  ChannelConfig cfg;
  cfg.preset = n;
  cfg.decay.substitution_bias = kAgingBias;
  DNASTORE_RETURN_IF_ERROR(SetSynthesisModel(cfg, e->synthesis));
  DNASTORE_RETURN_IF_ERROR(SetPolymerase(cfg, e->polymerase));
  DNASTORE_RETURN_IF_ERROR(SetSequencingModel(cfg, e->sequencing));
  if (e->adjust) e->adjust(cfg);
  return cfg;
}

}  // namespace dnastore::channel

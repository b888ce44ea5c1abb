// Validation, TOML loading and TOML writing of a ChannelConfig.
#include "dnastore/channel_config.h"

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#if __has_include(<toml++/toml.h>)
#define DNASTORE_HAVE_TOML 1
#include <toml++/toml.h>
#else
#define DNASTORE_HAVE_TOML 0
#endif

namespace dnastore::channel {
namespace {

constexpr const char* kBaseNames[4] = {"A", "C", "G", "T"};

}  // namespace

namespace {

Status CheckRange(const std::string& key, double v, double lo, double hi) {
  if (!(v >= lo && v <= hi) || std::isnan(v)) {
    std::ostringstream os;
    os << key << " must be in [" << lo << ", " << hi << "], got " << v;
    return UsageError(os.str());
  }
  return Status::Ok();
}

Status CheckWeights(const std::string& key, const std::vector<double>& w) {
  if (w.empty()) return UsageError(key + " must not be empty");
  if (w.size() > 1000) return UsageError(key + " has more than 1000 entries");
  double sum = 0;
  for (double x : w) {
    if (!(x >= 0) || std::isinf(x)) return UsageError(key + " entries must be >= 0");
    sum += x;
  }
  if (!(sum > 0)) return UsageError(key + " must have a positive entry");
  return Status::Ok();
}

Status CheckBias(const std::string& key, const SubstitutionBias& b) {
  for (auto& row : b)
    for (double x : row)
      if (!(x >= 0) || std::isinf(x)) return UsageError(key + " entries must be >= 0");
  return Status::Ok();
}

}  // namespace

Status ValidateConfig(const ChannelConfig& c) {
  const auto& s = c.synthesis;
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.copy_sigma", s.copy_sigma, 0, 5));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.dropout_fraction", s.dropout_fraction, 0, 0.99));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.substitution_rate", s.substitution_rate, 0, 0.5));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.deletion_rate", s.deletion_rate, 0, 0.5));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.insertion_rate", s.insertion_rate, 0, 0.5));
  DNASTORE_RETURN_IF_ERROR(
      CheckRange("synthesis.substitution_rate + deletion_rate + insertion_rate",
                 s.substitution_rate + s.deletion_rate + s.insertion_rate, 0, 0.9));
  DNASTORE_RETURN_IF_ERROR(
      CheckWeights("synthesis.deletion_length_weights", s.deletion_length_weights));
  DNASTORE_RETURN_IF_ERROR(
      CheckWeights("synthesis.insertion_length_weights", s.insertion_length_weights));
  DNASTORE_RETURN_IF_ERROR(CheckBias("synthesis.substitution_bias", s.substitution_bias));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.truncation_rate", s.truncation_rate, 0, 0.1));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.rate_sigma", s.rate_sigma, 0, 3));
  DNASTORE_RETURN_IF_ERROR(
      CheckRange("synthesis.deletion_5p_excess", s.deletion_5p_excess, 0, 100));
  DNASTORE_RETURN_IF_ERROR(
      CheckRange("synthesis.deletion_5p_decay_nt", s.deletion_5p_decay_nt, 0.1, 1000));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.missed_cycle_rate", s.missed_cycle_rate, 0, 0.9));
  for (auto& row : s.run_length_mean)
    for (double m : row)
      DNASTORE_RETURN_IF_ERROR(
          CheckRange("synthesis.run_length_mean", m, s.model == SynthesisModel::kTdt ? 1 : 0, 20));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.coupling_yield", s.coupling_yield, 0.5, 1));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.capped_fraction", s.capped_fraction, 0, 1));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.n_plus_one_rate", s.n_plus_one_rate, 0, 0.5));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.primer_5p_nt", s.primer_5p_nt, 0, 1000));
  DNASTORE_RETURN_IF_ERROR(CheckRange("synthesis.primer_3p_nt", s.primer_3p_nt, 0, 1000));
  const auto& p = c.pcr;
  DNASTORE_RETURN_IF_ERROR(CheckRange("pcr.cycles", p.cycles, 0, 100));
  DNASTORE_RETURN_IF_ERROR(CheckRange("pcr.efficiency", p.efficiency, 0, 1));
  DNASTORE_RETURN_IF_ERROR(CheckRange("pcr.efficiency_sd", p.efficiency_sd, 0, 0.5));
  DNASTORE_RETURN_IF_ERROR(
      CheckRange("pcr.substitution_rate_per_cycle", p.substitution_rate_per_cycle, 0, 0.01));
  DNASTORE_RETURN_IF_ERROR(CheckRange("pcr.fidelity", p.fidelity, 1e-3, 1e6));
  DNASTORE_RETURN_IF_ERROR(CheckBias("pcr.substitution_bias", p.substitution_bias));
  const auto& d = c.decay;
  DNASTORE_RETURN_IF_ERROR(CheckRange("decay.halflives", d.halflives, 0, 50));
  DNASTORE_RETURN_IF_ERROR(CheckRange("decay.substitution_rate_per_halflife",
                                      d.substitution_rate_per_halflife, 0, 0.01));
  DNASTORE_RETURN_IF_ERROR(CheckBias("decay.substitution_bias", d.substitution_bias));
  for (double w : d.break_base_weights)
    DNASTORE_RETURN_IF_ERROR(CheckRange("decay.break_base_weights", w, 0, 1e6));
  if (d.break_base_weights[0] + d.break_base_weights[1] + d.break_base_weights[2] +
          d.break_base_weights[3] <=
      0)
    return UsageError("decay.break_base_weights must have a positive entry");
  const auto& m = c.sampling;
  if (m.read_count == 0) {
    DNASTORE_RETURN_IF_ERROR(CheckRange("sampling.coverage_x", m.coverage_x, 1e-6, 1e6));
    if (!(m.coverage_x > 0))
      return UsageError("sampling.coverage_x must be > 0, got " + std::to_string(m.coverage_x));
  }
  const auto& q = c.sequencing;
  DNASTORE_RETURN_IF_ERROR(CheckRange("sequencing.substitution_rate", q.substitution_rate, 0, 0.5));
  DNASTORE_RETURN_IF_ERROR(CheckRange("sequencing.insertion_rate", q.insertion_rate, 0, 0.5));
  DNASTORE_RETURN_IF_ERROR(CheckRange("sequencing.deletion_rate", q.deletion_rate, 0, 0.5));
  DNASTORE_RETURN_IF_ERROR(
      CheckRange("sequencing.substitution_rate_r2", q.substitution_rate_r2, 0, 0.5));
  DNASTORE_RETURN_IF_ERROR(CheckRange("sequencing.end_error_factor", q.end_error_factor, 1, 20));
  DNASTORE_RETURN_IF_ERROR(
      CheckRange("sequencing.homopolymer_error_factor", q.homopolymer_error_factor, 0, 20));
  DNASTORE_RETURN_IF_ERROR(
      CheckRange("sequencing.homopolymer_min_nt", q.homopolymer_min_nt, 2, 1000));
  DNASTORE_RETURN_IF_ERROR(CheckRange("sequencing.reverse_fraction", q.reverse_fraction, 0, 1));
  DNASTORE_RETURN_IF_ERROR(CheckRange("sequencing.rate_sigma", q.rate_sigma, 0, 3));
  DNASTORE_RETURN_IF_ERROR(CheckRange("sequencing.read_length_nt", q.read_length_nt, 1, 100000));
  DNASTORE_RETURN_IF_ERROR(CheckBias("sequencing.substitution_bias", q.substitution_bias));
  DNASTORE_RETURN_IF_ERROR(
      CheckWeights("sequencing.deletion_length_weights", q.deletion_length_weights));
  DNASTORE_RETURN_IF_ERROR(
      CheckWeights("sequencing.insertion_length_weights", q.insertion_length_weights));
  double worst = (q.substitution_rate + q.insertion_rate + q.deletion_rate) *
                 std::max({q.end_error_factor, q.homopolymer_error_factor, 1.0});
  if (worst > 0.95)
    return UsageError(
        "sequencing rates x end_error_factor/homopolymer_error_factor exceed 0.95 per nt");
  for (const std::string* a : {&q.adapter_r1, &q.adapter_r2})
    for (char ch : *a)
      if (ch != 'A' && ch != 'C' && ch != 'G' && ch != 'T')
        return UsageError("sequencing.adapter_r1/adapter_r2 must be ACGT only");
  if (q.paired && q.model != SequencingModel::kIllumina && q.model != SequencingModel::kPerfect)
    return UsageError("sequencing.paired is only supported for illumina or perfect sequencing");
  return Status::Ok();
}

// ---------------------------------------------------------------- TOML ----

#if DNASTORE_HAVE_TOML
namespace {

using Setter = std::function<Status(const toml::node&, const std::string& key)>;

Status TypeError(const std::string& key, const char* want) {
  return UsageError(key + " must be " + want);
}

Setter Double(double& out) {
  return [&out](const toml::node& n, const std::string& key) -> Status {
    if (auto v = n.value<double>()) {
      if (n.is_boolean()) return TypeError(key, "a number");
      out = *v;
      return Status::Ok();
    }
    return TypeError(key, "a number");
  };
}

Setter Int(int& out) {
  return [&out](const toml::node& n, const std::string& key) -> Status {
    if (!n.is_integer()) return TypeError(key, "an integer");
    int64_t v = *n.value<int64_t>();
    if (v < -1000000000 || v > 1000000000) return UsageError(key + " is out of range");
    out = static_cast<int>(v);
    return Status::Ok();
  };
}

Setter U64(uint64_t& out) {
  return [&out](const toml::node& n, const std::string& key) -> Status {
    if (!n.is_integer()) return TypeError(key, "an integer");
    int64_t v = *n.value<int64_t>();
    if (v < 0) return UsageError(key + " must be >= 0");
    out = static_cast<uint64_t>(v);
    return Status::Ok();
  };
}

Setter Bool(bool& out) {
  return [&out](const toml::node& n, const std::string& key) -> Status {
    if (!n.is_boolean()) return TypeError(key, "true or false");
    out = *n.value<bool>();
    return Status::Ok();
  };
}

Setter String(std::string& out) {
  return [&out](const toml::node& n, const std::string& key) -> Status {
    if (!n.is_string()) return TypeError(key, "a string");
    out = *n.value<std::string>();
    return Status::Ok();
  };
}

Setter DoubleList(std::vector<double>& out) {
  return [&out](const toml::node& n, const std::string& key) -> Status {
    const toml::array* a = n.as_array();
    if (!a) return TypeError(key, "an array of numbers");
    std::vector<double> v;
    for (const auto& e : *a) {
      auto d = e.value<double>();
      if (!d || e.is_boolean()) return TypeError(key, "an array of numbers");
      v.push_back(*d);
    }
    out = std::move(v);
    return Status::Ok();
  };
}

int BaseIndex(std::string_view s) {
  if (s == "A") return 0;
  if (s == "C") return 1;
  if (s == "G") return 2;
  if (s == "T") return 3;
  return -1;
}

// { A = { C = 0.1, G = 0.2, T = 0.1 }, C = {...}, ... }
Setter Bias(SubstitutionBias& out) {
  return [&out](const toml::node& n, const std::string& key) -> Status {
    const toml::table* t = n.as_table();
    if (!t) return TypeError(key, "a table of tables {A = {C = x, G = y, T = z}, ...}");
    SubstitutionBias b{};
    for (const auto& [from, row] : *t) {
      int f = BaseIndex(from.str());
      const toml::table* rt = row.as_table();
      if (f < 0 || !rt) return UsageError(key + ": unknown base '" + std::string(from.str()) + "'");
      for (const auto& [to, val] : *rt) {
        int tb = BaseIndex(to.str());
        auto d = val.value<double>();
        if (tb < 0 || !d)
          return UsageError(key + "." + std::string(from.str()) + ": bad entry '" +
                            std::string(to.str()) + "'");
        b[f][tb] = *d;
      }
    }
    out = b;
    return Status::Ok();
  };
}

Setter Base4(std::array<double, 4>& out) {
  return [&out](const toml::node& n, const std::string& key) -> Status {
    const toml::table* t = n.as_table();
    if (!t) return TypeError(key, "a table {A = w, C = w, G = w, T = w}");
    for (const auto& [b, val] : *t) {
      int i = BaseIndex(b.str());
      auto d = val.value<double>();
      if (i < 0 || !d) return UsageError(key + ": bad entry '" + std::string(b.str()) + "'");
      out[i] = *d;
    }
    return Status::Ok();
  };
}

// A number (all entries) or { start = {A = m, ...}, A = {A = m, C = m, ...}, ... }.
Setter RunLengths(std::array<std::array<double, 4>, 5>& out) {
  return [&out](const toml::node& n, const std::string& key) -> Status {
    if (auto d = n.value<double>(); d && !n.is_boolean()) {
      for (auto& row : out) row.fill(*d);
      return Status::Ok();
    }
    const toml::table* t = n.as_table();
    if (!t) return TypeError(key, "a number or a table {start = {A = m, ...}, A = {...}, ...}");
    for (const auto& [prev, row] : *t) {
      int p = prev.str() == "start" ? 4 : BaseIndex(prev.str());
      const toml::table* rt = row.as_table();
      if (p < 0 || !rt)
        return UsageError(key + ": unknown previous base '" + std::string(prev.str()) + "'");
      for (const auto& [cur, val] : *rt) {
        int c = BaseIndex(cur.str());
        auto d = val.value<double>();
        if (c < 0 || !d) return UsageError(key + ": bad entry '" + std::string(cur.str()) + "'");
        out[p][c] = *d;
      }
    }
    return Status::Ok();
  };
}

std::map<std::string, Setter> Setters(ChannelConfig& c) {
  std::map<std::string, Setter> m;
  auto& s = c.synthesis;
  m["synthesis.copy_sigma"] = Double(s.copy_sigma);
  m["synthesis.dropout_fraction"] = Double(s.dropout_fraction);
  m["synthesis.substitution_rate"] = Double(s.substitution_rate);
  m["synthesis.deletion_rate"] = Double(s.deletion_rate);
  m["synthesis.insertion_rate"] = Double(s.insertion_rate);
  m["synthesis.deletion_length_weights"] = DoubleList(s.deletion_length_weights);
  m["synthesis.insertion_length_weights"] = DoubleList(s.insertion_length_weights);
  m["synthesis.substitution_bias"] = Bias(s.substitution_bias);
  m["synthesis.truncation_rate"] = Double(s.truncation_rate);
  m["synthesis.rate_sigma"] = Double(s.rate_sigma);
  m["synthesis.deletion_5p_excess"] = Double(s.deletion_5p_excess);
  m["synthesis.deletion_5p_decay_nt"] = Double(s.deletion_5p_decay_nt);
  m["synthesis.missed_cycle_rate"] = Double(s.missed_cycle_rate);
  m["synthesis.run_length_mean"] = RunLengths(s.run_length_mean);
  m["synthesis.coupling_yield"] = Double(s.coupling_yield);
  m["synthesis.capped_fraction"] = Double(s.capped_fraction);
  m["synthesis.n_plus_one_rate"] = Double(s.n_plus_one_rate);
  m["synthesis.primer_5p_nt"] = Int(s.primer_5p_nt);
  m["synthesis.primer_3p_nt"] = Int(s.primer_3p_nt);
  auto& p = c.pcr;
  m["pcr.cycles"] = Int(p.cycles);
  m["pcr.efficiency"] = Double(p.efficiency);
  m["pcr.efficiency_sd"] = Double(p.efficiency_sd);
  m["pcr.substitution_rate_per_cycle"] = Double(p.substitution_rate_per_cycle);
  m["pcr.fidelity"] = Double(p.fidelity);
  m["pcr.substitution_bias"] = Bias(p.substitution_bias);
  auto& d = c.decay;
  m["decay.halflives"] = Double(d.halflives);
  m["decay.substitution_rate_per_halflife"] = Double(d.substitution_rate_per_halflife);
  m["decay.substitution_bias"] = Bias(d.substitution_bias);
  m["decay.break_base_weights"] = Base4(d.break_base_weights);
  auto& a = c.sampling;
  m["sampling.coverage_x"] = Double(a.coverage_x);
  m["sampling.read_count"] = U64(a.read_count);
  auto& q = c.sequencing;
  m["sequencing.substitution_rate"] = Double(q.substitution_rate);
  m["sequencing.insertion_rate"] = Double(q.insertion_rate);
  m["sequencing.deletion_rate"] = Double(q.deletion_rate);
  m["sequencing.substitution_rate_r2"] = Double(q.substitution_rate_r2);
  m["sequencing.end_error_factor"] = Double(q.end_error_factor);
  m["sequencing.homopolymer_error_factor"] = Double(q.homopolymer_error_factor);
  m["sequencing.homopolymer_min_nt"] = Int(q.homopolymer_min_nt);
  m["sequencing.reverse_fraction"] = Double(q.reverse_fraction);
  m["sequencing.rate_sigma"] = Double(q.rate_sigma);
  m["sequencing.deletion_length_weights"] = DoubleList(q.deletion_length_weights);
  m["sequencing.insertion_length_weights"] = DoubleList(q.insertion_length_weights);
  m["sequencing.paired"] = Bool(q.paired);
  m["sequencing.read_length_nt"] = Int(q.read_length_nt);
  m["sequencing.adapter_r1"] = String(q.adapter_r1);
  m["sequencing.adapter_r2"] = String(q.adapter_r2);
  m["sequencing.substitution_bias"] = Bias(q.substitution_bias);
  return m;
}

}  // namespace
#endif

Status ApplyConfigToml(std::string_view toml_text, std::string_view source, ChannelConfig& cfg) {
#if DNASTORE_HAVE_TOML
  const std::string src(source);
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << src << ":" << e.source().begin.line << ":" << e.source().begin.column
       << ": TOML syntax error: " << e.description();
    return BadInput(os.str());
  }
  const std::string prefix = src + ": ";
  // 1. preset
  if (const toml::node* n = root.get("preset")) {
    if (!n->is_string()) return UsageError(prefix + "preset must be a string");
    auto r = PresetConfig(*n->value<std::string>());
    if (!r.ok()) return UsageError(prefix + "preset: " + r.status().message());
    cfg = *r;
  }
  // 2. stage models
  const char* sections[] = {"synthesis", "pcr", "decay", "sampling", "sequencing"};
  for (const auto& [k, v] : root) {
    std::string key(k.str());
    if (key == "preset") continue;
    bool known = false;
    for (const char* s : sections) known |= key == s;
    if (!known)
      return UsageError(prefix + "unknown key '" + key +
                        "' (sections: synthesis, pcr, decay, sampling, sequencing; or preset)");
    if (!v.is_table()) return UsageError(prefix + "'" + key + "' must be a [section]");
  }
  auto model_key = [&](const char* section, const char* key,
                       Status (*set)(ChannelConfig&, std::string_view)) -> Status {
    const toml::table* t = root[section].as_table();
    if (!t) return Status::Ok();
    const toml::node* n = t->get(key);
    if (!n) return Status::Ok();
    std::string full = std::string(section) + "." + key;
    if (!n->is_string()) return UsageError(prefix + full + " must be a string");
    Status st = set(cfg, *n->value<std::string>());
    if (!st.ok()) return UsageError(prefix + full + ": " + st.message());
    return Status::Ok();
  };
  DNASTORE_RETURN_IF_ERROR(model_key("synthesis", "model", &SetSynthesisModel));
  DNASTORE_RETURN_IF_ERROR(model_key("pcr", "polymerase", &SetPolymerase));
  DNASTORE_RETURN_IF_ERROR(model_key("sequencing", "model", &SetSequencingModel));
  // 3. values
  auto setters = Setters(cfg);
  for (const char* section : sections) {
    const toml::table* t = root[section].as_table();
    if (!t) continue;
    for (const auto& [k, v] : *t) {
      std::string full = std::string(section) + "." + std::string(k.str());
      if (full == "synthesis.model" || full == "pcr.polymerase" || full == "sequencing.model")
        continue;
      auto it = setters.find(full);
      if (it == setters.end()) return UsageError(prefix + "unknown key '" + full + "'");
      Status st = it->second(v, full);
      if (!st.ok()) return UsageError(prefix + st.message());
    }
  }
  Status st = ValidateConfig(cfg);
  if (!st.ok()) return UsageError(prefix + st.message());
  return Status::Ok();
#else
  (void)toml_text;
  (void)cfg;
  return UsageError(std::string(source) +
                    ": config files need toml++, which this build was compiled without");
#endif
}

Status ApplyConfigFile(const std::string& path, ChannelConfig& cfg) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read config file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError("error reading config file '" + path + "'");
  return ApplyConfigToml(ss.str(), path, cfg);
}

namespace {

void PutBias(std::ostringstream& os, const char* key, const SubstitutionBias& b) {
  os << key << " = { ";
  for (int f = 0; f < 4; ++f) {
    os << (f ? ", " : "") << kBaseNames[f] << " = { ";
    bool first = true;
    for (int t = 0; t < 4; ++t) {
      if (t == f) continue;
      os << (first ? "" : ", ") << kBaseNames[t] << " = " << b[f][t];
      first = false;
    }
    os << " }";
  }
  os << " }\n";
}

void PutList(std::ostringstream& os, const char* key, const std::vector<double>& v) {
  os << key << " = [";
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]\n";
}

}  // namespace

std::string ConfigToToml(const ChannelConfig& c) {
  std::ostringstream os;
  os.precision(10);
  os << "# dnastore simulate configuration (preset " << c.preset << ")\n";
  const auto& s = c.synthesis;
  os << "\n[synthesis]\nmodel = \"" << SynthesisModelName(s.model) << "\"\n";
  os << "copy_sigma = " << s.copy_sigma << "\ndropout_fraction = " << s.dropout_fraction
     << "\nsubstitution_rate = " << s.substitution_rate << "\ndeletion_rate = " << s.deletion_rate
     << "\ninsertion_rate = " << s.insertion_rate << "\n";
  PutList(os, "deletion_length_weights", s.deletion_length_weights);
  PutList(os, "insertion_length_weights", s.insertion_length_weights);
  PutBias(os, "substitution_bias", s.substitution_bias);
  os << "rate_sigma = " << s.rate_sigma << "\ndeletion_5p_excess = " << s.deletion_5p_excess
     << "\ndeletion_5p_decay_nt = " << s.deletion_5p_decay_nt << "\n";
  os << "truncation_rate = " << s.truncation_rate << "\nmissed_cycle_rate = " << s.missed_cycle_rate
     << "\nrun_length_mean = { ";
  for (int p = 0; p < 5; ++p) {
    os << (p ? ", " : "") << (p == 4 ? "start" : std::string(1, kBaseNames[p][0])) << " = { ";
    for (int b = 0; b < 4; ++b)
      os << (b ? ", " : "") << kBaseNames[b] << " = " << s.run_length_mean[p][b];
    os << " }";
  }
  os << " }\ncoupling_yield = " << s.coupling_yield << "\ncapped_fraction = " << s.capped_fraction
     << "\nn_plus_one_rate = " << s.n_plus_one_rate << "\nprimer_5p_nt = " << s.primer_5p_nt
     << "\nprimer_3p_nt = " << s.primer_3p_nt << "\n";
  const auto& p = c.pcr;
  os << "\n[pcr]\npolymerase = \"" << p.polymerase << "\"\ncycles = " << p.cycles
     << "\nefficiency = " << p.efficiency << "\nefficiency_sd = " << p.efficiency_sd
     << "\nsubstitution_rate_per_cycle = " << p.substitution_rate_per_cycle
     << "\nfidelity = " << p.fidelity << "\n";
  PutBias(os, "substitution_bias", p.substitution_bias);
  const auto& d = c.decay;
  os << "\n[decay]\nhalflives = " << d.halflives
     << "\nsubstitution_rate_per_halflife = " << d.substitution_rate_per_halflife << "\n";
  PutBias(os, "substitution_bias", d.substitution_bias);
  os << "break_base_weights = { A = " << d.break_base_weights[0]
     << ", C = " << d.break_base_weights[1] << ", G = " << d.break_base_weights[2]
     << ", T = " << d.break_base_weights[3] << " }\n";
  os << "\n[sampling]\ncoverage_x = " << c.sampling.coverage_x
     << "\nread_count = " << c.sampling.read_count << "\n";
  const auto& q = c.sequencing;
  os << "\n[sequencing]\nmodel = \"" << SequencingModelName(q.model) << "\"\n"
     << "substitution_rate = " << q.substitution_rate << "\ninsertion_rate = " << q.insertion_rate
     << "\ndeletion_rate = " << q.deletion_rate
     << "\nsubstitution_rate_r2 = " << q.substitution_rate_r2
     << "\nend_error_factor = " << q.end_error_factor
     << "\nhomopolymer_error_factor = " << q.homopolymer_error_factor
     << "\nhomopolymer_min_nt = " << q.homopolymer_min_nt
     << "\nreverse_fraction = " << q.reverse_fraction << "\nrate_sigma = " << q.rate_sigma << "\n";
  PutList(os, "deletion_length_weights", q.deletion_length_weights);
  PutList(os, "insertion_length_weights", q.insertion_length_weights);
  os << "\npaired = " << (q.paired ? "true" : "false") << "\nread_length_nt = " << q.read_length_nt
     << "\nadapter_r1 = \"" << q.adapter_r1 << "\"\nadapter_r2 = \"" << q.adapter_r2 << "\"\n";
  PutBias(os, "substitution_bias", q.substitution_bias);
  return os.str();
}

}  // namespace dnastore::channel

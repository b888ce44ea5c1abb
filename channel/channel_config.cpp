// Validation, TOML loading and TOML writing of a ChannelConfig, each a walk
// over the one table of keys (config_keys.h).
#include "dnastore/channel_config.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "channel/config_keys.h"

#if __has_include(<toml++/toml.h>)
#define DNASTORE_HAVE_TOML 1
#include <toml++/toml.h>
#else
#define DNASTORE_HAVE_TOML 0
#endif

namespace dnastore::channel {
namespace {

constexpr const char* kBaseNames[4] = {"A", "C", "G", "T"};

// The section names, in table order.
struct SectionNames : KeyVisitor {
  std::vector<std::string> names;
  void Section(const char* name) { names.push_back(name); }
};

std::vector<std::string> Sections() {
  ChannelConfig cfg;
  SectionNames v;
  VisitConfigKeys(cfg, v);
  return v.names;
}

// ------------------------------------------------------------- validation --

Status CheckRange(const std::string& key, double v, Range r) {
  if (!(v >= r.lo && v <= r.hi) || std::isnan(v)) {
    std::ostringstream os;
    os << key << " must be in [" << r.lo << ", " << r.hi << "], got " << v;
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

// Keeps the first failed check, naming its key as section.key.
struct Validator : KeyVisitor {
  std::string section;
  Status status;

  void Section(const char* name) { section = name; }
  std::string Full(const char* key) const { return section + "." + key; }
  void Fail(Status st) {
    if (status.ok() && !st.ok()) status = std::move(st);
  }
  template <typename T>
  void Number(const char* key, const T& field, Range r) {
    if (r.checked) Fail(CheckRange(Full(key), static_cast<double>(field), r));
  }
  void Weights(const char* key, const std::vector<double>& field) {
    Fail(CheckWeights(Full(key), field));
  }
  void Bias(const char* key, const SubstitutionBias& field) { Fail(CheckBias(Full(key), field)); }
  void BaseWeights(const char* key, const std::array<double, 4>& field, Range r) {
    for (double w : field) Fail(CheckRange(Full(key), w, r));
  }
  void RunLengths(const char* key, const RunLengthMeans& field, Range r) {
    for (auto& row : field)
      for (double m : row) Fail(CheckRange(Full(key), m, r));
  }
  void Derived(const char* name, double value, Range r) { Fail(CheckRange(Full(name), value, r)); }
  void Rule(bool ok, const char* message) {
    if (!ok) Fail(UsageError(message));
  }
};

}  // namespace

Status ValidateConfig(const ChannelConfig& cfg) {
  Validator v;
  VisitConfigKeys(cfg, v);
  return v.status;
}

// ---------------------------------------------------------------- TOML ----

#if DNASTORE_HAVE_TOML
namespace {

Status TypeError(const std::string& key, const char* want) {
  return UsageError(key + " must be " + want);
}

Status Parse(const toml::node& n, const std::string& key, double& out) {
  if (auto v = n.value<double>()) {
    if (n.is_boolean()) return TypeError(key, "a number");
    out = *v;
    return Status::Ok();
  }
  return TypeError(key, "a number");
}

Status Parse(const toml::node& n, const std::string& key, int& out) {
  if (!n.is_integer()) return TypeError(key, "an integer");
  int64_t v = *n.value<int64_t>();
  if (v < -1000000000 || v > 1000000000) return UsageError(key + " is out of range");
  out = static_cast<int>(v);
  return Status::Ok();
}

Status Parse(const toml::node& n, const std::string& key, uint64_t& out) {
  if (!n.is_integer()) return TypeError(key, "an integer");
  int64_t v = *n.value<int64_t>();
  if (v < 0) return UsageError(key + " must be >= 0");
  out = static_cast<uint64_t>(v);
  return Status::Ok();
}

Status Parse(const toml::node& n, const std::string& key, bool& out) {
  if (!n.is_boolean()) return TypeError(key, "true or false");
  out = *n.value<bool>();
  return Status::Ok();
}

Status Parse(const toml::node& n, const std::string& key, std::string& out) {
  if (!n.is_string()) return TypeError(key, "a string");
  out = *n.value<std::string>();
  return Status::Ok();
}

Status Parse(const toml::node& n, const std::string& key, std::vector<double>& out) {
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
}

int BaseIndex(std::string_view s) {
  if (s == "A") return 0;
  if (s == "C") return 1;
  if (s == "G") return 2;
  if (s == "T") return 3;
  return -1;
}

// { A = { C = 0.1, G = 0.2, T = 0.1 }, C = {...}, ... }
Status ParseBias(const toml::node& n, const std::string& key, SubstitutionBias& out) {
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
}

// { A = w, C = w, G = w, T = w }
Status ParseBaseWeights(const toml::node& n, const std::string& key, std::array<double, 4>& out) {
  const toml::table* t = n.as_table();
  if (!t) return TypeError(key, "a table {A = w, C = w, G = w, T = w}");
  for (const auto& [b, val] : *t) {
    int i = BaseIndex(b.str());
    auto d = val.value<double>();
    if (i < 0 || !d) return UsageError(key + ": bad entry '" + std::string(b.str()) + "'");
    out[i] = *d;
  }
  return Status::Ok();
}

// A number (all entries) or { start = {A = m, ...}, A = {A = m, C = m, ...}, ... }.
Status ParseRunLengths(const toml::node& n, const std::string& key, RunLengthMeans& out) {
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
}

// Sets the value of one TOML key `section.key` (model keys excepted: they
// are applied first, by ApplyModelKeys). found = false: no such key.
struct KeySetter : KeyVisitor {
  std::string_view section, key;
  const toml::node& node;
  std::string full;
  std::string_view current;
  bool found = false;
  Status status;

  KeySetter(std::string_view s, std::string_view k, const toml::node& n)
      : section(s), key(k), node(n), full(std::string(s) + "." + std::string(k)) {}
  void Section(const char* name) { current = name; }
  bool Is(const char* k) const { return current == section && key == k; }
  void Set(Status st) {
    found = true;
    status = std::move(st);
  }
  void Model(const char* k, const std::string&, ModelSetter) {
    if (Is(k)) found = true;
  }
  // Each parses only when it is the key: the parse has side effects.
  template <typename T>
  void Number(const char* k, T& f, Range) {
    if (Is(k)) Set(Parse(node, full, f));
  }
  void Flag(const char* k, bool& f) {
    if (Is(k)) Set(Parse(node, full, f));
  }
  void Text(const char* k, std::string& f) {
    if (Is(k)) Set(Parse(node, full, f));
  }
  void Weights(const char* k, std::vector<double>& f) {
    if (Is(k)) Set(Parse(node, full, f));
  }
  void Bias(const char* k, SubstitutionBias& f) {
    if (Is(k)) Set(ParseBias(node, full, f));
  }
  void BaseWeights(const char* k, std::array<double, 4>& f, Range) {
    if (Is(k)) Set(ParseBaseWeights(node, full, f));
  }
  void RunLengths(const char* k, RunLengthMeans& f, Range) {
    if (Is(k)) Set(ParseRunLengths(node, full, f));
  }
};

// The stage model keys (section, key, setter), in table order.
struct ModelKeys : KeyVisitor {
  struct Key {
    std::string section, key;
    ModelSetter set;
  };
  std::vector<Key> keys;
  std::string current;
  void Section(const char* name) { current = name; }
  void Model(const char* key, const std::string&, ModelSetter set) {
    keys.push_back({current, key, set});
  }
};

Status ApplyPreset(const toml::table& root, const std::string& prefix, ChannelConfig& cfg) {
  const toml::node* n = root.get("preset");
  if (!n) return Status::Ok();
  if (!n->is_string()) return UsageError(prefix + "preset must be a string");
  auto r = PresetConfig(*n->value<std::string>());
  if (!r.ok()) return UsageError(prefix + "preset: " + r.status().message());
  cfg = *r;
  return Status::Ok();
}

// Every top-level key other than `preset` must be a known [section].
Status CheckSections(const toml::table& root, const std::string& prefix,
                     const std::vector<std::string>& sections) {
  std::string list;
  for (size_t i = 0; i < sections.size(); ++i) list += (i ? ", " : "") + sections[i];
  for (const auto& [k, v] : root) {
    std::string key(k.str());
    if (key == "preset") continue;
    if (std::find(sections.begin(), sections.end(), key) == sections.end())
      return UsageError(prefix + "unknown key '" + key + "' (sections: " + list + "; or preset)");
    if (!v.is_table()) return UsageError(prefix + "'" + key + "' must be a [section]");
  }
  return Status::Ok();
}

Status ApplyModelKeys(const toml::table& root, const std::string& prefix, ChannelConfig& cfg) {
  ModelKeys models;
  VisitConfigKeys(cfg, models);
  for (const ModelKeys::Key& m : models.keys) {
    const toml::table* t = root[m.section].as_table();
    if (!t) continue;
    const toml::node* n = t->get(m.key);
    if (!n) continue;
    std::string full = m.section + "." + m.key;
    if (!n->is_string()) return UsageError(prefix + full + " must be a string");
    Status st = m.set(cfg, *n->value<std::string>());
    if (!st.ok()) return UsageError(prefix + full + ": " + st.message());
  }
  return Status::Ok();
}

Status ApplyValues(const toml::table& root, const std::string& prefix,
                   const std::vector<std::string>& sections, ChannelConfig& cfg) {
  for (const std::string& section : sections) {
    const toml::table* t = root[section].as_table();
    if (!t) continue;
    for (const auto& [k, v] : *t) {
      KeySetter setter(section, k.str(), v);
      VisitConfigKeys(cfg, setter);
      if (!setter.found) return UsageError(prefix + "unknown key '" + setter.full + "'");
      if (!setter.status.ok()) return UsageError(prefix + setter.status.message());
    }
  }
  return Status::Ok();
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
  const std::vector<std::string> sections = Sections();
  // The preset replaces cfg, then the stage models reset their stages, then
  // the values apply.
  DNASTORE_RETURN_IF_ERROR(ApplyPreset(root, prefix, cfg));
  DNASTORE_RETURN_IF_ERROR(CheckSections(root, prefix, sections));
  DNASTORE_RETURN_IF_ERROR(ApplyModelKeys(root, prefix, cfg));
  DNASTORE_RETURN_IF_ERROR(ApplyValues(root, prefix, sections, cfg));
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

// ---------------------------------------------------------------- writer --

namespace {

// Writes each key as TOML (numbers with 10 significant digits).
struct TomlWriter : KeyVisitor {
  std::ostringstream& os;
  explicit TomlWriter(std::ostringstream& out) : os(out) {}

  void Section(const char* name) { os << "\n[" << name << "]\n"; }
  void Model(const char* key, const std::string& name, ModelSetter) {
    os << key << " = \"" << name << "\"\n";
  }
  template <typename T>
  void Number(const char* key, const T& field, Range) {
    os << key << " = " << field << "\n";
  }
  void Flag(const char* key, bool field) {
    os << key << " = " << (field ? "true" : "false") << "\n";
  }
  void Text(const char* key, const std::string& field) { os << key << " = \"" << field << "\"\n"; }
  void Weights(const char* key, const std::vector<double>& v) {
    os << key << " = [";
    for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
    os << "]\n";
  }
  // { A = { C = x, G = y, T = z }, C = { A = x, G = y, T = z }, ... }
  void Bias(const char* key, const SubstitutionBias& b) {
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
  void BaseWeights(const char* key, const std::array<double, 4>& w, Range) {
    os << key << " = { ";
    for (int b = 0; b < 4; ++b) os << (b ? ", " : "") << kBaseNames[b] << " = " << w[b];
    os << " }\n";
  }
  void RunLengths(const char* key, const RunLengthMeans& m, Range) {
    os << key << " = { ";
    for (int p = 0; p < 5; ++p) {
      os << (p ? ", " : "") << (p == 4 ? "start" : kBaseNames[p]) << " = { ";
      for (int b = 0; b < 4; ++b) os << (b ? ", " : "") << kBaseNames[b] << " = " << m[p][b];
      os << " }";
    }
    os << " }\n";
  }
  void Gap() { os << "\n"; }
};

}  // namespace

std::string ConfigToToml(const ChannelConfig& c) {
  std::ostringstream os;
  os.precision(10);
  os << "# dnastore simulate configuration (preset " << c.preset << ")\n";
  TomlWriter w(os);
  VisitConfigKeys(c, w);
  return os.str();
}

}  // namespace dnastore::channel

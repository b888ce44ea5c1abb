// Channel configuration: presets, model switches, TOML loading and clear
// errors for bad keys and values.
#include "dnastore/channel_config.h"

#include <gtest/gtest.h>

#include <fstream>

namespace dnastore::channel {
namespace {

ChannelConfig Base() { return *PresetConfig("illumina"); }

TEST(ChannelConfig, PresetsCompose) {
  for (const auto& name : PresetNames()) {
    auto c = PresetConfig(name);
    ASSERT_TRUE(c.ok()) << name;
    EXPECT_TRUE(ValidateConfig(*c).ok()) << name << ": " << ValidateConfig(*c).message();
  }
  auto il = PresetConfig("illumina");
  EXPECT_EQ(il->synthesis.model, SynthesisModel::kTwist);
  EXPECT_EQ(il->pcr.polymerase, "q5");
  EXPECT_DOUBLE_EQ(il->pcr.fidelity, 280.0);
  EXPECT_EQ(il->sequencing.model, SequencingModel::kIllumina);
  EXPECT_DOUBLE_EQ(il->synthesis.deletion_rate, 5.695e-4);
  EXPECT_DOUBLE_EQ(il->synthesis.copy_sigma, 0.30);
  auto wc = PresetConfig("worstcase");
  EXPECT_EQ(wc->synthesis.model, SynthesisModel::kArrayLowQ);
  EXPECT_EQ(wc->pcr.polymerase, "taq");
  EXPECT_EQ(PresetConfig("nanopore")->sequencing.model, SequencingModel::kNanoporeR10);
  EXPECT_EQ(PresetConfig("tdt")->synthesis.model, SynthesisModel::kTdt);
  auto bad = PresetConfig("nosuch");
  EXPECT_EQ(bad.status().code(), ErrorCode::kUsage);
  EXPECT_NE(bad.status().message().find("illumina"), std::string::npos);
}

TEST(ChannelConfig, ModelSwitchesResetOneStage) {
  ChannelConfig c = Base();
  c.pcr.cycles = 12;
  ASSERT_TRUE(SetSynthesisModel(c, "tdt-terminator").ok());
  EXPECT_EQ(c.synthesis.model, SynthesisModel::kTdtTerminator);
  EXPECT_DOUBLE_EQ(c.synthesis.coupling_yield, 0.99);
  EXPECT_EQ(c.pcr.cycles, 12);
  ASSERT_TRUE(SetPolymerase(c, "hifi").ok());
  EXPECT_DOUBLE_EQ(c.pcr.fidelity, 40.0);
  EXPECT_EQ(SetSequencingModel(c, "pacbio").code(), ErrorCode::kUsage);
  EXPECT_EQ(SetPolymerase(c, "pfu").code(), ErrorCode::kUsage);
}

TEST(ChannelConfig, TomlAppliesValues) {
  ChannelConfig c = Base();
  Status st = ApplyConfigToml(R"(
preset = "worstcase"
[synthesis]
copy_sigma = 0.5
deletion_length_weights = [1, 1]
[pcr]
polymerase = "q5"
cycles = 12
[decay]
halflives = 1.5
break_base_weights = { A = 1, C = 1, G = 1, T = 1 }
[sampling]
coverage_x = 7
[sequencing]
model = "nanopore-r9"
substitution_bias = { A = { C = 1, G = 0, T = 0 } }
)",
                              "test.toml", c);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(c.preset, "worstcase");
  EXPECT_EQ(c.synthesis.model, SynthesisModel::kArrayLowQ);
  EXPECT_DOUBLE_EQ(c.synthesis.copy_sigma, 0.5);
  EXPECT_EQ(c.synthesis.deletion_length_weights.size(), 2u);
  EXPECT_EQ(c.pcr.polymerase, "q5");
  EXPECT_EQ(c.pcr.cycles, 12);
  EXPECT_DOUBLE_EQ(c.decay.halflives, 1.5);
  EXPECT_DOUBLE_EQ(c.sampling.coverage_x, 7);
  EXPECT_EQ(c.sequencing.model, SequencingModel::kNanoporeR9);
  EXPECT_DOUBLE_EQ(c.sequencing.substitution_bias[0][1], 1.0);
}

TEST(ChannelConfig, RoundTripsThroughToml) {
  for (const auto& name : PresetNames()) {
    ChannelConfig c = *PresetConfig(name);
    c.decay.halflives = 0.25;
    std::string text = ConfigToToml(c);
    ChannelConfig d = Base();
    Status st = ApplyConfigToml(text, "dump.toml", d);
    ASSERT_TRUE(st.ok()) << name << ": " << st.message() << "\n" << text;
    d.preset = c.preset;
    EXPECT_EQ(ConfigToToml(d), text) << name;
  }
}

void ExpectError(const char* toml, ErrorCode code, const char* needle) {
  ChannelConfig c = Base();
  Status st = ApplyConfigToml(toml, "bad.toml", c);
  EXPECT_EQ(st.code(), code) << toml << " -> " << st.message();
  EXPECT_NE(st.message().find(needle), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("bad.toml"), std::string::npos) << st.message();
}

TEST(ChannelConfig, BadConfigGivesClearErrors) {
  ExpectError("[pcr]\nefficiency = 1.5\n", ErrorCode::kUsage, "pcr.efficiency");
  ExpectError("[pcr]\ncycles = 2.5\n", ErrorCode::kUsage, "pcr.cycles");
  ExpectError("[pcr]\nefficency = 0.9\n", ErrorCode::kUsage, "pcr.efficency");
  ExpectError("[pcr]\npolymerase = \"pfu\"\n", ErrorCode::kUsage, "pcr.polymerase");
  ExpectError("[synthesis]\ndeletion_rate = -0.1\n", ErrorCode::kUsage, "synthesis.deletion_rate");
  ExpectError("[synthesis]\ndeletion_rate = \"high\"\n", ErrorCode::kUsage,
              "synthesis.deletion_rate");
  ExpectError("[synthesis]\nmodel = \"inkjet\"\n", ErrorCode::kUsage, "synthesis.model");
  ExpectError("[sampling]\ncoverage_x = 0\n", ErrorCode::kUsage, "sampling.coverage_x");
  ExpectError("[sequencing]\nsubstitution_bias = { X = { A = 1 } }\n", ErrorCode::kUsage,
              "sequencing.substitution_bias");
  ExpectError("[sequencing]\npaired = 1\n", ErrorCode::kUsage, "sequencing.paired");
  ExpectError("[seqencing]\nmodel = \"illumina\"\n", ErrorCode::kUsage, "seqencing");
  ExpectError("preset = \"fast\"\n", ErrorCode::kUsage, "preset");
  ExpectError("[pcr\ncycles = 3\n", ErrorCode::kBadInput, "bad.toml:1");
  ChannelConfig c = Base();
  EXPECT_EQ(ApplyConfigFile("/nonexistent/x.toml", c).code(), ErrorCode::kIo);
}

TEST(ChannelConfig, ValidateNamesKey) {
  ChannelConfig c = Base();
  c.sequencing.reverse_fraction = 2;
  Status st = ValidateConfig(c);
  EXPECT_EQ(st.code(), ErrorCode::kUsage);
  EXPECT_NE(st.message().find("sequencing.reverse_fraction"), std::string::npos);
  c = Base();
  c.synthesis.deletion_length_weights = {};
  EXPECT_NE(ValidateConfig(c).message().find("synthesis.deletion_length_weights"),
            std::string::npos);
}

}  // namespace
}  // namespace dnastore::channel

// The input and output layer (core/file_util.h, cli RunFiles): inputs of
// every kind, outputs that cannot clobber, temporaries nobody can hijack,
// and nothing left behind by a failed or interrupted run.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include "core/file_util.h"
#include "dnastore/seq_io.h"
#include "tests/test_util.h"

namespace fs = std::filesystem;
using dnastore::testing::ReadText;
using dnastore::testing::RunDnastore;
using dnastore::testing::WriteText;

namespace {

std::string P(const std::string& name) { return dnastore::testing::ScratchPath(name); }
dnastore::testing::CliResult Cli(const std::string& args) { return RunDnastore(args); }
bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Hidden temporaries of ours ("." + name + ".dnastore-XXXXXX" + ext) in `dir`.
int Temporaries(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    n += Contains(e.path().filename().string(), ".dnastore-");
  return n;
}

// A fresh directory per test with a small file and its pool.
class FileSafety : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = dnastore::testing::TestScratchDir();
    std::string content;
    for (int i = 0; i < 3000; ++i) content += static_cast<char>((i * 2654435761u) >> 11);
    file_ = WriteText(dir_ + "/in.bin", content);
    pool_ = dir_ + "/pool.fasta";
    auto r = Cli("encode " + file_ + " -o " + pool_ + " -q");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  std::string dir_, file_, pool_;
};

TEST_F(FileSafety, EncodeFromPipeArchivesTheBytes) {
  // Process substitution: a pipe whose reported size is 0.
  const std::string cmd = std::string(DNASTORE_BINARY) + " encode <(cat " + file_ + ") -o " + dir_ +
                          "/p.fasta -q --json " + dir_ + "/p.json";
  ASSERT_EQ(std::system(("bash -c '" + cmd + "'").c_str()), 0);
  dnastore::testing::CliResult r;
  EXPECT_TRUE(Contains(ReadText(dir_ + "/p.json"), "\"file_size\": 3000"));
  r = Cli("decode " + dir_ + "/p.fasta -o " + dir_ + "/out -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(dir_ + "/out"), ReadText(file_));
}

TEST_F(FileSafety, EncodeFromFifo) {
  const std::string fifo = dir_ + "/in.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { std::system(("cat " + file_ + " > " + fifo).c_str()); });
  auto r = Cli("encode " + fifo + " -o " + dir_ + "/f.fasta -q");
  writer.join();
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli("decode " + dir_ + "/f.fasta -o " + dir_ + "/out -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(dir_ + "/out"), ReadText(file_));
}

TEST_F(FileSafety, DecodeSimulateAndConsensusReadFifos) {
  // The decoder may read its input twice: a FIFO is spooled, not "empty".
  const std::string reads = dir_ + "/reads.fq";
  ASSERT_EQ(Cli("simulate " + pool_ + " -o " + reads + " --coverage 10 -q").code, 0);
  const std::string cases[] = {"decode % -o " + dir_ + "/out.bin",
                               "consensus % -o " + dir_ + "/strands.fa",
                               "simulate % -o " + dir_ + "/again.fq --coverage 2"};
  for (std::string c : cases) {
    const std::string fifo = dir_ + "/in.fifo";
    fs::remove(fifo);
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    const std::string source = c.starts_with("simulate") ? pool_ : reads;
    std::thread writer([&] { std::system(("cat " + source + " > " + fifo).c_str()); });
    c.replace(c.find('%'), 1, fifo);
    auto r = Cli(c + " -q");
    writer.join();
    EXPECT_EQ(r.code, 0) << c << ": " << r.err;
  }
  EXPECT_EQ(ReadText(dir_ + "/out.bin"), ReadText(file_));
}

TEST_F(FileSafety, EveryOutputRefusesToOverwrite) {
  const std::string keep = "precious\n";
  const std::string cases[] = {
      "encode " + file_ + " -o %",
      "encode " + file_ + " -o " + dir_ + "/e.fa --json %",
      "encode " + file_ + " -o " + dir_ + "/e2.fa --order-sheet %",
      "decode " + pool_ + " -o %",
      "decode " + pool_ + " -o " + dir_ + "/d.bin --report %",
      "simulate " + pool_ + " -o %",
      "simulate " + pool_ + " -o " + dir_ + "/s.fq --truth %",
      "simulate " + pool_ + " -o " + dir_ + "/s2.fq --stats %",
      "consensus " + pool_ + " -o %",
      "consensus " + pool_ + " -o " + dir_ + "/c.fa --report %",
  };
  int i = 0;
  for (std::string c : cases) {
    const std::string target = WriteText(dir_ + "/exists" + std::to_string(i++), keep);
    c.replace(c.find('%'), 1, target);
    auto r = Cli(c + " -q");
    EXPECT_EQ(r.code, 2) << c << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, target) && Contains(r.err, "--force")) << c << ": " << r.err;
    EXPECT_EQ(ReadText(target), keep) << c;
    r = Cli(c + " -q --force");
    EXPECT_EQ(r.code, 0) << c << " --force: " << r.err;
    EXPECT_NE(ReadText(target), keep) << c;
  }
  for (const char* f : {"e.fa", "d.bin", "s.fq", "c.fa"})  // main outputs of refused runs
    EXPECT_TRUE(fs::exists(dir_ + "/" + f)) << f << " (written by the --force run)";
  EXPECT_EQ(Temporaries(dir_), 0);
}

TEST_F(FileSafety, AnOutputThatIsAnInputOrAnotherOutputIsRefused) {
  const std::string pool_copy = ReadText(pool_);
  fs::create_symlink(pool_, dir_ + "/link.fasta");
  fs::create_hard_link(pool_, dir_ + "/hard.fasta");
  const std::string cases[] = {
      "decode " + pool_ + " -o " + dir_ + "/o --report " + pool_,
      "decode " + pool_ + " -o " + dir_ + "/link.fasta --force",
      "decode " + pool_ + " -o " + dir_ + "/hard.fasta --force",
      "encode " + pool_ + " -o " + pool_ + " --force",
      "simulate " + pool_ + " -o " + dir_ + "/r.fq --truth " + dir_ + "/r.fq",
      "simulate " + pool_ + " -o " + dir_ + "/r.fq --truth " + dir_ + "/./r.fq",
      "consensus " + pool_ + " -o " + dir_ + "/c.fa --report " + dir_ + "/c.fa",
  };
  for (const std::string& c : cases) {
    auto r = Cli(c + " -q");
    EXPECT_EQ(r.code, 1) << c << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, "same file")) << c << ": " << r.err;
  }
  EXPECT_EQ(ReadText(pool_), pool_copy);
  EXPECT_FALSE(fs::exists(dir_ + "/o"));
  EXPECT_FALSE(fs::exists(dir_ + "/r.fq"));
}

TEST_F(FileSafety, MissingSecondInputIsFoundBeforeAnyWork) {
  auto r = Cli("decode " + pool_ + " " + dir_ + "/missing.fq -o " + dir_ + "/o -q");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "missing.fq")) << r.err;
  r = Cli("consensus " + pool_ + " " + dir_ + "/missing.fq -o " + dir_ + "/c.fa -q");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/o"));
  EXPECT_FALSE(fs::exists(dir_ + "/c.fa"));
}

TEST_F(FileSafety, BadSideOutputFailsBeforeTheMainOutputAppears) {
  for (const std::string& c :
       {"decode " + pool_ + " -o " + dir_ + "/o --report " + dir_ + "/",
        "decode " + pool_ + " -o " + dir_ + "/o --report " + dir_ + "/nodir/r.json",
        "encode " + file_ + " -o " + dir_ + "/o --json " + dir_ + "/"}) {
    auto r = Cli(c + " -q");
    EXPECT_EQ(r.code, 2) << c << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir_ + "/o")) << c;
  }
  EXPECT_EQ(Temporaries(dir_), 0);
}

TEST_F(FileSafety, PlantedSymlinksAtOldTemporaryNamesAreNeverFollowed) {
  // Names the temporaries used to have (path + ".dnastore-tmp." + pid, and
  // the decoder's /tmp/dnastore-stdout-PID): a symlink there must not be
  // written through, whatever the pid.
  const std::string victim = WriteText(dir_ + "/victim", "victim\n");
  for (int pid = 1; pid < 200; ++pid)
    fs::create_symlink(victim, dir_ + "/out.fasta.dnastore-tmp." + std::to_string(pid));
  auto r = Cli("encode " + file_ + " -o " + dir_ + "/out.fasta -q");
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli("decode " + dir_ + "/out.fasta -o " + dir_ + "/out.bin -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(victim), "victim\n");
  EXPECT_EQ(ReadText(dir_ + "/out.bin"), ReadText(file_));
}

TEST_F(FileSafety, FifoOutputIsWrittenIntoNotReplaced) {
  const std::string fifo = dir_ + "/out.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread reader([&] { std::system(("cat " + fifo + " > " + dir_ + "/got").c_str()); });
  auto r = Cli("decode " + pool_ + " -o " + fifo + " -q --force");
  reader.join();
  ASSERT_EQ(r.code, 0) << r.err;
  struct stat st;
  ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(ReadText(dir_ + "/got"), ReadText(file_));
}

TEST_F(FileSafety, LongOutputNamesWork) {
  const std::string name = dir_ + "/" + std::string(240, 'n') + ".fasta";
  auto r = Cli("encode " + file_ + " -o " + name + " -q");
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli("decode " + name + " -o " + dir_ + "/" + std::string(250, 'd') + " -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(dir_ + "/" + std::string(250, 'd')), ReadText(file_));
}

TEST_F(FileSafety, GzSuffixMeansGzipForEncode) {
  auto r = Cli("encode " + file_ + " -o " + dir_ + "/p.fasta.gz -q");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string bytes = ReadText(dir_ + "/p.fasta.gz");
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(bytes[1]), 0x8b);
  r = Cli("decode " + dir_ + "/p.fasta.gz -o " + dir_ + "/out -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(dir_ + "/out"), ReadText(file_));
}

TEST_F(FileSafety, OutputsGetTheUsualPermissions) {
  const mode_t old = umask(022);
  auto r = Cli("encode " + file_ + " -o " + dir_ + "/perm.fasta -q");
  umask(old);
  ASSERT_EQ(r.code, 0) << r.err;
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/perm.fasta").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

// Library level: temporaries are exclusive, private, unique and removed.
TEST(TemporaryName, ExclusivePrivateUniqueAndRemoved) {
  const std::string dir = P("tempname");
  fs::create_directories(dir);
  std::string first, second;
  {
    dnastore::TemporaryName a(dir + "/x.fastq.gz"), b(dir + "/x.fastq.gz");
    ASSERT_TRUE(a.status().ok()) << a.status().message();
    first = a.path();
    second = b.path();
    EXPECT_NE(first, second);
    EXPECT_EQ(first.substr(first.size() - 3), ".gz");  // the extension decides compression
    struct stat st;
    ASSERT_EQ(lstat(first.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  EXPECT_FALSE(fs::exists(first));
  EXPECT_FALSE(fs::exists(second));
}

TEST(CheckRunFiles, NamesBothFilesOfACollision) {
  const std::string dir = P("collide");
  fs::create_directories(dir);
  const std::string in = WriteText(dir + "/in.txt", "x");
  fs::create_symlink(in, dir + "/alias");
  auto st = dnastore::CheckRunFiles({in}, {dir + "/alias"}, true);
  EXPECT_EQ(st.code(), dnastore::ErrorCode::kUsage);
  EXPECT_TRUE(Contains(st.message(), "alias") && Contains(st.message(), "in.txt")) << st.message();
  st = dnastore::CheckRunFiles({in}, {dir + "/a", dir + "/b/../a"}, false);
  EXPECT_EQ(st.code(), dnastore::ErrorCode::kIo);  // b/ does not exist
  fs::create_directories(dir + "/b");
  st = dnastore::CheckRunFiles({in}, {dir + "/a", dir + "/b/../a"}, false);
  EXPECT_EQ(st.code(), dnastore::ErrorCode::kUsage) << st.message();
  EXPECT_TRUE(dnastore::CheckRunFiles({in, "-"}, {"-", "/dev/null", "/dev/null"}, false).ok());
}

}  // namespace

namespace {

// simulate writes its FASTQ under temporary names too: a signal mid-run
// leaves neither a truncated FASTQ nor a temporary.
TEST_F(FileSafety, InterruptedSimulateLeavesNoFastq) {
  for (int sig : {SIGINT, SIGHUP}) {
    const std::string out = dir_ + "/reads_" + std::to_string(sig) + ".fastq";
    const int code = RunDnastore("simulate " + pool_ + " -o " + out + " --truth " + out +
                                     ".tsv --coverage 20000 -q -t 1",
                                 dnastore::testing::SignalAfter(sig, 500))
                         .code;
    EXPECT_EQ(Temporaries(dir_), 0) << sig;
    if (code != 0) {
      EXPECT_FALSE(fs::exists(out)) << sig << " exit " << code;
      EXPECT_FALSE(fs::exists(out + ".tsv")) << sig;
    }
  }
}

}  // namespace

namespace {

// Option values are checked as usage errors (exit 1) naming the option.
TEST_F(FileSafety, BadOptionValuesAreUsageErrors) {
  const std::string out = " -o " + dir_ + "/never";
  const std::string cases[][2] = {
      {"encode " + file_ + out + " --redundancy -0.5", "--redundancy"},
      {"encode " + file_ + out + " --redundancy nan", "--redundancy"},
      {"encode " + file_ + out + " --redundancy 1", "--redundancy"},
      {"encode " + file_ + out + " --gc-min inf", "--gc-min"},
      {"encode " + file_ + out + " --primers ACGTNACGTACGTACGTACG,ACGTACGTACGTACGTACGT",
       "--primers"},
      {"encode " + file_ + out + " --primers ACGT,ACGTACGTACGTACGTACGT", "--primers"},
      {"decode " + pool_ + out + " --primers acgtacgtacgtacgtacgt,ACGTACGTACGTACGTACGT",
       "--primers"},
      {"simulate " + pool_ + out + " --reads 0", "--reads"},
      {"simulate " + pool_ + out + " --seed -1", "--seed"},
      {"simulate " + pool_ + out + " --seed 18446744073709551616", "--seed"},
      {"simulate " + pool_ + out + " -c " + dir_, "--config"},
      {"simulate " + pool_ + out + " --coverage nan", "coverage"},
      {"simulate " + pool_ + out + " --paired --read-length 100000", "read_length_nt"},
      {"consensus " + pool_ + out + " --error-rate nan", "--error-rate"},
      {"consensus " + pool_ + out + " --primers ACG,ACGTACGT", "--primers"},
  };
  for (const auto& [args, names] : cases) {
    auto r = Cli(args + " -q");
    EXPECT_EQ(r.code, 1) << args << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, names)) << args << ": " << r.err;
  }
  EXPECT_FALSE(fs::exists(dir_ + "/never"));
  EXPECT_EQ(Cli("simulate " + pool_ + " -o " + dir_ + "/s.fq -q --seed 18446744073709551615").code,
            0);
}

}  // namespace

namespace {

// A file name from an archive header reaches the terminal escaped.
TEST_F(FileSafety, ArchiveNamesAreEscapedOnTheTerminal) {
  const std::string evil = dir_ + "/evil\x1b[2Jname.txt";
  WriteText(evil, "some bytes\n");
  ASSERT_EQ(
      RunDnastore(std::vector<std::string>{"encode", evil, "-o", dir_ + "/e.fasta", "-q"}).code, 0);
  auto r = Cli("decode " + dir_ + "/e.fasta -o " + dir_ + "/e.out");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(Contains(r.err, "\x1b")) << r.err;
  EXPECT_TRUE(Contains(r.err, "evil\\x1b[2Jname.txt")) << r.err;
}

}  // namespace

namespace {

// A record over the length limit streams past: skipped and counted, never
// held in memory, and the records around it are read as usual.
TEST(SeqReaderLimits, OverLongRecordsAreSkippedAndCounted) {
  const std::string dir = P("limits");
  fs::create_directories(dir);
  const size_t huge = 3 * dnastore::SeqReader::kMaxReadNt;
  for (const std::string fmt : {"fastq", "fasta"}) {
    const std::string path = dir + "/huge." + fmt + ".gz";
    const std::string n = std::to_string(huge);
    const std::string cmd =
        fmt == "fastq"
            ? "(printf '@a\\nACGT\\n+\\nIIII\\n@huge\\n'; head -c " + n +
                  " /dev/zero | tr '\\0' A; printf '\\n+\\n'; head -c " + n +
                  " /dev/zero | tr '\\0' I; printf '\\n@b\\nGGCC\\n+\\nIIII\\n') | gzip -1 > " +
                  path
            : "(printf '>a\\nACGT\\n>huge\\n'; head -c " + n +
                  " /dev/zero | tr '\\0' A; printf '\\n>b\\nGG\\nCC\\n') | gzip -1 > " + path;
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    auto reader = dnastore::SeqReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    dnastore::ReadBatch batch;
    ASSERT_TRUE((*reader)->Next(batch, 100).ok());
    ASSERT_EQ(batch.size(), 2u) << fmt;
    EXPECT_EQ(batch[0].name, "a");
    EXPECT_EQ(batch[0].seq, "ACGT");
    EXPECT_EQ(batch[1].name, "b");
    EXPECT_EQ(batch[1].seq, "GGCC");
    EXPECT_EQ((*reader)->records_too_long(), 1u);
  }
}

}  // namespace

namespace {

// A symlinked output: the file it names is replaced (with --force), the link
// stays; /dev/stdout is written into, wherever it points.
TEST_F(FileSafety, SymlinkedOutputsAreWrittenThrough) {
  const std::string target = WriteText(dir_ + "/target.fasta", "old\n");
  fs::create_symlink(target, dir_ + "/link.fasta");
  auto r = Cli("encode " + file_ + " -o " + dir_ + "/link.fasta -q --force");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(dir_ + "/link.fasta"));
  EXPECT_NE(ReadText(target), "old\n");
  EXPECT_EQ(ReadText(target), ReadText(dir_ + "/link.fasta"));

  const std::string captured = dir_ + "/stdout.fasta";
  r = RunDnastore("encode " + file_ + " -o /dev/stdout -q", dnastore::testing::StdoutTo(captured));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(captured), ReadText(target));
  EXPECT_TRUE(fs::is_symlink("/dev/stdout"));
}

TEST_F(FileSafety, ForceKeepsTheReplacedFilesPermissions) {
  const std::string secret = WriteText(dir_ + "/secret.fasta", "old\n");
  ASSERT_EQ(chmod(secret.c_str(), 0600), 0);
  auto r = Cli("encode " + file_ + " -o " + secret + " -q --force");
  ASSERT_EQ(r.code, 0) << r.err;
  struct stat st;
  ASSERT_EQ(stat(secret.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// Without --force, an output that appears while the run writes is not
// replaced at commit (two runs, or a user, racing for one name).
TEST(TemporaryName, WithoutReplaceAFileThatAppearedIsKept) {
  const std::string dir = dnastore::testing::TestScratchDir();
  const std::string out = dir + "/raced.txt";
  dnastore::TemporaryName temp(out, /*replace=*/false);
  ASSERT_TRUE(temp.status().ok());
  WriteText(temp.path(), "ours\n");
  WriteText(out, "theirs\n");
  dnastore::Status st = temp.Commit();
  EXPECT_EQ(st.code(), dnastore::ErrorCode::kIo);
  EXPECT_TRUE(Contains(st.message(), "--force")) << st.message();
  EXPECT_EQ(ReadText(out), "theirs\n");
}

}  // namespace

namespace {

// Without -o the name comes from the archive: it must not be another file of
// the run (here the report), even with --force.
TEST_F(FileSafety, ArchiveNamedOutputIsCheckedAgainstTheRunsFiles) {
  const std::string named = WriteText(dir_ + "/report.json", "the archived file\n");
  ASSERT_EQ(Cli("encode " + named + " -o " + dir_ + "/named.fasta -q").code, 0);
  fs::remove(named);
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  auto r = Cli("decode named.fasta --report " + dir_ + "/report.json -q --force");
  const std::string report = ReadText(dir_ + "/report.json");  // the failure's report
  fs::remove(dir_ + "/report.json");
  auto plain = Cli("decode named.fasta -q");
  fs::current_path(cwd);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "same file")) << r.err;
  EXPECT_TRUE(Contains(report, "\"exit_code\": 1")) << report;
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(ReadText(dir_ + "/report.json"), "the archived file\n");
}

}  // namespace

namespace {

// The streaming parser reads what HTSlib's did, CRLF and multi-line included.
TEST(SeqReaderLimits, CrlfMultiLineRecords) {
  const std::string dir = dnastore::testing::TestScratchDir();
  const std::string fq = WriteText(
      dir + "/crlf.fq", "@r one\r\nAC\r\ngt\r\n+\r\nII\r\nII\r\n\r\n@s\r\nGGG\r\n+\r\nABC\r\n");
  const std::string fa = WriteText(dir + "/crlf.fa", ">a x\r\nAC\r\nGT\r\n\r\n>b\r\nTn\r\n");
  for (const std::string& path : {fq, fa}) {
    auto reader = dnastore::SeqReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    dnastore::ReadBatch batch;
    ASSERT_TRUE((*reader)->Next(batch, 10).ok()) << path;
    ASSERT_EQ(batch.size(), 2u) << path;
    EXPECT_EQ(batch[0].seq, "ACGT") << path;
    EXPECT_EQ(batch[0].name, path == fq ? "r" : "a");
    if (path == fq) {
      EXPECT_EQ(batch[0].qual, "IIII");
      EXPECT_EQ(batch[1].seq, "GGG");
      EXPECT_EQ(batch[1].qual, "ABC");
    } else {
      EXPECT_EQ(batch[1].seq, "TN");
      EXPECT_TRUE(batch[1].qual.empty());
    }
  }
}

}  // namespace

namespace {

// Standard output by any name is the inherited descriptor: appended to when
// the shell opened it to append, counted once; regular files under /dev (a
// tmpfs such as /dev/shm) are files like any other.
TEST_F(FileSafety, DescriptorAliasesAndFilesUnderDev) {
  const std::string log = WriteText(dir_ + "/log.txt", "earlier lines\n");
  const std::string cmd =
      std::string(DNASTORE_BINARY) + " decode " + pool_ + " -o /dev/stdout -q >> " + log;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(ReadText(log), "earlier lines\n" + ReadText(file_));
  auto r = Cli("decode " + pool_ + " -o - --report /dev/stdout -q");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "standard output")) << r.err;

  if (!fs::is_directory("/dev/shm") || access("/dev/shm", W_OK) != 0) return;
  const std::string shm = "/dev/shm/dnastore_test_" + std::to_string(getpid());
  fs::create_directories(shm);
  const std::string in = WriteText(shm + "/in.bin", ReadText(file_));
  r = Cli("encode " + in + " -o " + in + " -q");
  EXPECT_EQ(r.code, 1) << r.err;  // the same file
  EXPECT_EQ(ReadText(in), ReadText(file_));
  const std::string old = WriteText(shm + "/old.bin", std::string(100000, 'x'));
  r = Cli("decode " + pool_ + " -o " + old + " -q");
  EXPECT_EQ(r.code, 2) << r.err;  // exists, no --force
  r = Cli("decode " + pool_ + " -o " + old + " -q --force");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(old), ReadText(file_));  // replaced whole, not written over
  r = Cli("decode " + pool_ + " -o " + shm + "/new.bin -q");
  EXPECT_EQ(r.code, 0) << r.err;
  fs::remove_all(shm);
}

// An output named by the archive is checked against an input read through
// standard input too.
TEST_F(FileSafety, ArchiveNamedOutputIsNotTheFileOnStandardInput) {
  const std::string named = WriteText(dir_ + "/stdin_named.bin", "from stdin\n");
  ASSERT_EQ(Cli("encode " + named + " -o " + dir_ + "/p.fasta -q").code, 0);
  const std::string pool_copy = ReadText(dir_ + "/p.fasta");
  fs::rename(dir_ + "/p.fasta", named);  // the pool now has the archived name
  const std::string cmd = "cd " + dir_ + " && " + std::string(DNASTORE_BINARY) +
                          " decode - --force -q < stdin_named.bin";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 1);
  EXPECT_EQ(ReadText(named), pool_copy);
}

}  // namespace

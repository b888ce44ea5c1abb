// Everything public in one include: the manual of the dnastore library.
//
//   dnastore/status.h          Status, Result, ErrorCode and exit codes
//   dnastore/seq_io.h          FASTA/FASTQ/SAM/BAM input and output (dnastore::core)
//   dnastore/read_front_end.h  reads -> strands: trim, merge, cluster, consensus (dnastore::reads)
//   dnastore/archive.h         oligo geometry and archive parameters
//   dnastore/encoder.h         file -> oligo pool (dnastore::codec)
//   dnastore/decoder.h         reads or strands -> file, verified (dnastore::codec)
//   dnastore/channel_config.h  wet-lab channel parameters and presets (dnastore::channel)
//   dnastore/channel.h         oligo pool -> simulated reads (dnastore::channel)
//   dnastore/version.h         kVersion
#pragma once

#include "dnastore/archive.h"
#include "dnastore/channel.h"
#include "dnastore/channel_config.h"
#include "dnastore/decoder.h"
#include "dnastore/encoder.h"
#include "dnastore/read_front_end.h"
#include "dnastore/seq_io.h"
#include "dnastore/status.h"
#include "dnastore/version.h"

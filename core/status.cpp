#include "dnastore/status.h"

namespace dnastore {

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 0;
    case ErrorCode::kUsage:
      return 1;
    case ErrorCode::kBadInput:
    case ErrorCode::kIo:
      return 2;
    case ErrorCode::kUnrecoverable:
      return 3;
    case ErrorCode::kInternal:
      return 70;
  }
  return 70;
}

}  // namespace dnastore

// Status and Result: how every library function in dnastore reports failure.
//
// Libraries never print and never exit; they return a Status that names the
// problem (file, line, read) and carries an ErrorCode. The CLI maps ErrorCode
// to the documented process exit codes (see ExitCodeFor).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace dnastore {

// Error categories. Each maps to exactly one process exit code.
enum class ErrorCode {
  kOk = 0,
  kUsage,          // bad option or option value (exit 1)
  kBadInput,       // malformed or unusable input data (exit 2)
  kIo,             // cannot open, read or write a file (exit 2)
  kUnrecoverable,  // the data cannot be recovered from what was given (exit 3)
  kInternal,       // a bug: an invariant did not hold (exit 70)
};

// Documented process exit codes: 0 ok, 1 usage, 2 bad input or I/O,
// 3 data not recoverable, 70 internal error.
int ExitCodeFor(ErrorCode code);

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }
  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status UsageError(std::string m) { return Status(ErrorCode::kUsage, std::move(m)); }
inline Status BadInput(std::string m) { return Status(ErrorCode::kBadInput, std::move(m)); }
inline Status IoError(std::string m) { return Status(ErrorCode::kIo, std::move(m)); }
inline Status Unrecoverable(std::string m) {
  return Status(ErrorCode::kUnrecoverable, std::move(m));
}
inline Status InternalError(std::string m) { return Status(ErrorCode::kInternal, std::move(m)); }

// Either a value or a non-ok Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT(implicit)
  Result(Status status) : status_(std::move(status)) {}  // NOLINT(implicit)
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

#define DNASTORE_RETURN_IF_ERROR(expr) \
  do {                                 \
    ::dnastore::Status _st = (expr);   \
    if (!_st.ok()) return _st;         \
  } while (0)

}  // namespace dnastore

#include "core/gunzip_stream.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace dnastore {

GunzipStream::GunzipStream(FastxParser::ReadFn compressed)
    : compressed_(std::move(compressed)),
      state_(std::make_unique<inflate_state>()),
      in_(new uint8_t[kInputBytes]) {
  isal_inflate_init(state_.get());
  state_->crc_flag = ISAL_GZIP;  // parse each member's header, verify its CRC
}

bool GunzipStream::Refill() {
  if (eof_ || error_) return false;
  const long got = compressed_(reinterpret_cast<char*>(in_.get()), kInputBytes);
  if (got <= 0) {
    (got == 0 ? eof_ : error_) = true;
    return false;
  }
  state_->next_in = in_.get();
  state_->avail_in = static_cast<uint32_t>(got);
  return true;
}

long GunzipStream::Read(char* buf, size_t size) {
  if (error_) return -1;  // an error stays an error
  const long got = Inflate(buf, size);
  if (got < 0) error_ = true;
  return got;
}

long GunzipStream::Inflate(char* buf, size_t size) {
  inflate_state& s = *state_;
  s.next_out = reinterpret_cast<uint8_t*>(buf);
  s.avail_out = static_cast<uint32_t>(std::min<size_t>(size, UINT32_MAX));
  const uint32_t want = s.avail_out;
  while (s.avail_out == want && want > 0) {
    if (member_done_) {  // another member follows, or the clean end
      if (s.avail_in == 0 && !Refill()) return error_ ? -1 : 0;
      uint8_t* next = s.next_in;
      const uint32_t avail = s.avail_in;
      isal_inflate_reset(&s);
      s.crc_flag = ISAL_GZIP;
      s.next_in = next;
      s.avail_in = avail;
      member_done_ = false;
    }
    if (s.avail_in == 0 && !Refill()) return -1;  // a read error, or truncated
    const uint32_t avail_in = s.avail_in;
    if (isal_inflate(&s) < 0) return -1;
    member_done_ = s.block_state == ISAL_BLOCK_FINISH;
    // Never spin on input igzip neither takes nor turns into output.
    if (!member_done_ && s.avail_in == avail_in && s.avail_out == want) return -1;
  }
  return static_cast<long>(want - s.avail_out);
}

}  // namespace dnastore

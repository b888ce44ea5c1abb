#include "codec/slot_store.h"

#include <algorithm>
#include <cstring>

namespace dnastore {

namespace {
int Rank(uint8_t state) {
  switch (state) {
    case SlotStore::kValid:
      return 3;
    case SlotStore::kRepaired:
      return 2;
    case SlotStore::kSuspect:
      return 1;
    default:
      return 0;
  }
}
}  // namespace

bool SlotStore::Add(uint64_t index, const uint8_t* data, uint8_t state) {
  if (Rank(state) <= Rank(present_[index])) return false;
  present_[index] = state;
  pending_.push_back(index);
  pending_data_.insert(pending_data_.end(), data, data + d_);
  return true;
}

// Pending frames sorted by index and written in runs of consecutive indices.
Status SlotStore::Flush() {
  if (pending_.empty()) return Status::Ok();
  std::vector<size_t> order(pending_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return pending_[a] < pending_[b]; });
  std::vector<uint8_t> run;
  size_t i = 0;
  while (i < order.size()) {
    uint64_t start = pending_[order[i]];
    run.clear();
    size_t j = i;
    while (j < order.size() && pending_[order[j]] == start + (j - i)) {
      const uint8_t* src = pending_data_.data() + order[j] * d_;
      run.insert(run.end(), src, src + d_);
      ++j;
    }
    DNASTORE_RETURN_IF_ERROR(scratch_.WriteAt(start * d_, run.data(), run.size()));
    i = j;
  }
  pending_.clear();
  pending_data_.clear();
  return Status::Ok();
}

uint64_t SlotStore::count(uint8_t state) const {
  uint64_t c = 0;
  for (uint8_t p : present_) c += (p == state);
  return c;
}

Status SlotStore::Read(uint64_t first_index, uint64_t count, uint8_t* out) {
  auto got = scratch_.ReadAt(first_index * d_, out, count * d_);
  if (!got.ok()) return got.status();
  if (*got < count * d_) std::memset(out + *got, 0, count * d_ - *got);
  return Status::Ok();
}

Status PlaceFrames(const InnerFrames& batch, SlotStore* store, DecodeReport* report,
                   bool set_aside_fills_gaps) {
  const size_t d = batch.data_bytes;
  for (size_t i = 0; i < batch.frames.size(); ++i) {
    const InnerFrame& f = batch.frames[i];
    switch (f.kind) {
      case InnerFrame::kData:
        ++report->data_frames;
        if (f.repaired) break;  // placed after every frame that needed no repair
        if (!store->Add(f.index, batch.data.data() + i * d, false)) ++report->duplicate_frames;
        break;
      case InnerFrame::kSuspect:
        ++report->frames_rejected;
        store->Add(f.index, batch.data.data() + i * d, true);
        break;
      case InnerFrame::kHeader:
        ++report->header_frames;
        break;
      case InnerFrame::kSetAside:
        ++report->frames_other_archives;
        if (set_aside_fills_gaps) store->Add(f.index, batch.data.data() + i * d, true);
        break;
      default:
        ++report->frames_rejected;
    }
  }
  for (size_t i = 0; i < batch.frames.size(); ++i) {
    const InnerFrame& f = batch.frames[i];
    if (f.kind != InnerFrame::kData || !f.repaired) continue;
    ++report->frames_repaired;
    if (!store->Add(f.index, batch.data.data() + i * d, SlotStore::kRepaired))
      ++report->duplicate_frames;
  }
  report->strands += batch.frames.size();
  return store->Flush();
}

}  // namespace dnastore

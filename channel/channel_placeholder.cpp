namespace dnastore {}

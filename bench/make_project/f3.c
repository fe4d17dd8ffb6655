// Bench fixture: one of the small translation units `make -j2` compiles (bench/run.py).
#include <stdio.h>

int f3(int x) { return printf("%d\n", x * 3); }

// Bench fixture: one of the small translation units `make -j2` compiles (bench/run.py).
#include <stdio.h>

int f7(int x) { return printf("%d\n", x * 7); }

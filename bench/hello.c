/* bench/hello.c: the program of the `gcc -c hello.c` whole-process case in bench/run.py.
   Owner: benchmark suite (bench/). */
#include <stdio.h>

int main(void) {
  printf("hello\n");
  return 0;
}

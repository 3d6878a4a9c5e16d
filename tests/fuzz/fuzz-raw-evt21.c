/* fuzz-raw-evt21.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "evs-fuzz-common.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* The first input byte chooses the byte order */
int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const char little[] = "% format EVT21;endianness=little;height=720;width=1280\n% end\n";
  static const char legacy[] = "% format EVT21;endianness=legacy;height=720;width=1280\n% end\n";

  if (size == 0)
    return 0;
  if (data[0] & 1)
    evs_fuzz_read (little, sizeof little - 1, data + 1, size - 1);
  else
    evs_fuzz_read (legacy, sizeof legacy - 1, data + 1, size - 1);
  return 0;
}

/* evs-reader-private.h
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

#pragma once

#include "evs-reader.h"
#include "evs-chunk-facts-private.h"

G_BEGIN_DECLS

/* Constructors of the concrete readers, chosen by evs_reader_open() from the
 * file's content.  @head holds the first bytes of the file. */
EvsReader *_evs_raw_reader_new    (const char *path,
                                   GError    **error);
EvsReader *_evs_dat_reader_new    (const char *path,
                                   GError    **error);
EvsReader *_evs_text_reader_new   (const char *path,
                                   GError    **error);
EvsReader *_evs_hdf5_reader_new   (const char *path,
                                   GError    **error);
EvsReader *_evs_aedat4_reader_new (const char *path,
                                   GError    **error);

gboolean _evs_reader_get_chunk_facts (EvsReader     *self,
                                      EvsChunkFacts *facts);

G_END_DECLS

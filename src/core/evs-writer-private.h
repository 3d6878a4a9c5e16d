/* evs-writer-private.h
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

#include "evs-writer.h"
#include "evs-chunk-facts-private.h"

G_BEGIN_DECLS

/* Concrete writers, created by evs_writer_new() from the format */

/* EVT 2.0, 2.1 and 3.0; the "format" property chooses the encoding */
#define EVS_TYPE_RAW_WRITER (evs_raw_writer_get_type ())
G_DECLARE_FINAL_TYPE (EvsRawWriter, evs_raw_writer, EVS, RAW_WRITER, EvsWriter)

#define EVS_TYPE_DAT_WRITER (evs_dat_writer_get_type ())
G_DECLARE_FINAL_TYPE (EvsDatWriter, evs_dat_writer, EVS, DAT_WRITER, EvsWriter)

/* CSV with a "t,x,y,p" header line, integer µs */
#define EVS_TYPE_CSV_WRITER (evs_csv_writer_get_type ())
G_DECLARE_FINAL_TYPE (EvsCsvWriter, evs_csv_writer, EVS, CSV_WRITER, EvsWriter)

/* DSEC and Prophesee (ECF) layouts; the "format" property chooses */
#define EVS_TYPE_HDF5_WRITER (evs_hdf5_writer_get_type ())
G_DECLARE_FINAL_TYPE (EvsHdf5Writer, evs_hdf5_writer, EVS, HDF5_WRITER, EvsWriter)

gboolean             _evs_writer_write_with_facts (EvsWriter            *self,
                                                   const EvsEventChunk  *chunk,
                                                   const EvsChunkFacts  *facts,
                                                   GError              **error);
const EvsChunkFacts *_evs_writer_get_chunk_facts  (EvsWriter            *self);

gboolean _evs_raw_writer_set_simd (EvsWriter *writer,
                                   gboolean   enabled);

G_END_DECLS

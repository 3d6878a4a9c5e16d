/* evs-synth.h
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

#include <gio/gio.h>

#include "evs-events.h"
#include "evs-format.h"

G_BEGIN_DECLS

/**
 * EvsSynthLabel:
 * @EVS_SYNTH_LABEL_SIGNAL: caused by a moving edge
 * @EVS_SYNTH_LABEL_SHOT_NOISE: shot noise (Poisson, ON or OFF)
 * @EVS_SYNTH_LABEL_LEAK: leak event (periodic ON events of every pixel)
 * @EVS_SYNTH_LABEL_HOT_PIXEL: emitted by a hot pixel
 *
 * Ground truth of a synthetic event.
 */
typedef enum
{
  EVS_SYNTH_LABEL_SIGNAL = 0,
  EVS_SYNTH_LABEL_SHOT_NOISE = 1,
  EVS_SYNTH_LABEL_LEAK = 2,
  EVS_SYNTH_LABEL_HOT_PIXEL = 3,
  EVS_SYNTH_N_LABELS
} EvsSynthLabel;

/**
 * EvsSynthParams:
 * @width: sensor width (pixels)
 * @height: sensor height
 * @duration_us: length of the recording
 * @t_start_us: time of the start
 * @seed: the same seed gives the same events
 * @rate: target signal rate (events/s) produced by the moving edges
 * @noise_hz: shot-noise rate per pixel (Hz, ON and OFF together)
 * @leak_hz: leak-event rate per pixel (Hz, ON events)
 * @n_hot_pixels: number of hot pixels
 * @hot_rate_hz: mean event rate of a hot pixel
 */
typedef struct
{
  guint   width;
  guint   height;
  gint64  duration_us;
  gint64  t_start_us;
  guint64 seed;
  double  rate;
  double  noise_hz;
  double  leak_hz;
  guint   n_hot_pixels;
  double  hot_rate_hz;
} EvsSynthParams;

#define EVS_TYPE_SYNTH (evs_synth_get_type ())

G_DECLARE_FINAL_TYPE (EvsSynth, evs_synth, EVS, SYNTH, GObject)

void              evs_synth_params_init     (EvsSynthParams       *params);
EvsSynth         *evs_synth_new             (const EvsSynthParams *params,
                                             GError              **error);
gsize             evs_synth_fill            (EvsSynth             *self,
                                             EvsEventChunk        *chunk,
                                             guint8               *labels);
gboolean          evs_synth_is_done         (EvsSynth             *self);
double            evs_synth_get_fraction    (EvsSynth             *self);
const guint32    *evs_synth_get_hot_pixels  (EvsSynth             *self,
                                             guint                *n_pixels);
EvsRecordingInfo *evs_synth_create_info     (EvsSynth             *self);
const char       *evs_synth_label_to_string (EvsSynthLabel         label);

/* Label files: "EVSLBL01", u64 LE event count, then one byte (EvsSynthLabel)
 * per event, in the order of the recording.  Written atomically. */
#define EVS_LABELS_MAGIC "EVSLBL01"
#define EVS_LABELS_HEADER_SIZE 16

typedef struct _EvsLabelWriter EvsLabelWriter;
typedef struct _EvsLabelReader EvsLabelReader;

EvsLabelWriter *evs_label_writer_new    (const char      *path,
                                         GError         **error);
gboolean        evs_label_writer_write  (EvsLabelWriter  *writer,
                                         const guint8    *labels,
                                         gsize            n,
                                         GError         **error);
gboolean        evs_label_writer_finish (EvsLabelWriter  *writer,
                                         GError         **error);
void            evs_label_writer_free   (EvsLabelWriter  *writer);

EvsLabelReader *evs_label_reader_open      (const char      *path,
                                            GError         **error);
guint64         evs_label_reader_get_count (EvsLabelReader  *reader);
gsize           evs_label_reader_read      (EvsLabelReader  *reader,
                                            guint8          *labels,
                                            gsize            n,
                                            GError         **error);
void            evs_label_reader_free      (EvsLabelReader  *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsLabelWriter, evs_label_writer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsLabelReader, evs_label_reader_free)

G_END_DECLS

/* evs-export-job.h
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

#include "evs-format.h"
#include "evs-pipeline.h"

G_BEGIN_DECLS

#define EVS_TYPE_EXPORT_JOB (evs_export_job_get_type ())

G_DECLARE_FINAL_TYPE (EvsExportJob, evs_export_job, EVS, EXPORT_JOB, GObject)

/**
 * EvsExportProgressFunc:
 * @fraction: 0–1 over the whole job (both passes when a first pass is needed)
 * @events_per_second: input events read per second so far
 *
 * Called in the thread that started the job (the caller of
 * evs_export_job_run(), or the main context of the caller of
 * evs_export_job_run_async()), at most about ten times per second, and once
 * with fraction 1 at the end of a successful run.
 */
typedef void (*EvsExportProgressFunc) (EvsExportJob *job,
                                       double        fraction,
                                       double        events_per_second,
                                       gpointer      user_data);

EvsExportJob *evs_export_job_new               (const char             *input_path,
                                                const char             *output_path);
void          evs_export_job_set_format        (EvsExportJob           *self,
                                                EvsFormat               format);
EvsFormat     evs_export_job_get_format        (EvsExportJob           *self);
void          evs_export_job_set_time_range    (EvsExportJob           *self,
                                                gint64                  start_us,
                                                gint64                  end_us);
void          evs_export_job_set_pipeline      (EvsExportJob           *self,
                                                EvsPipeline            *pipeline);
EvsPipeline  *evs_export_job_get_pipeline      (EvsExportJob           *self);
void          evs_export_job_set_progress_func (EvsExportJob           *self,
                                                EvsExportProgressFunc   func,
                                                gpointer                user_data,
                                                GDestroyNotify          destroy);
void          evs_export_job_set_progress_interval (EvsExportJob       *self,
                                                guint64                 interval_us);
gboolean      evs_export_job_run               (EvsExportJob           *self,
                                                GCancellable           *cancellable,
                                                GError                **error);
void          evs_export_job_run_async         (EvsExportJob           *self,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
gboolean      evs_export_job_run_finish        (EvsExportJob           *self,
                                                GAsyncResult           *result,
                                                GError                **error);
double        evs_export_job_get_fraction      (EvsExportJob           *self);
double        evs_export_job_get_events_per_second (EvsExportJob       *self);
guint64       evs_export_job_get_n_events_in   (EvsExportJob           *self);
guint64       evs_export_job_get_n_events_out  (EvsExportJob           *self);
double        evs_export_job_get_seconds       (EvsExportJob           *self);
char         *evs_export_job_dup_summary       (EvsExportJob           *self);

G_END_DECLS

// views/org/report.js – the day's results for the organiser: the report as PDF (GET
// /api/report.pdf, rendered by the server off its network thread), with or without names.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { section } from '../common.js';
import { pdfButton } from './kit.js';

/**
 * Mounts the results section.
 * @param {{token: string}} env
 * @returns {{el: HTMLElement, refresh: () => void}}
 */
export function mountReport({ token }) {
  const plain = pdfButton({
    token,
    path: '/api/report.pdf',
    label: t('org.report.pdf'),
    making: t('org.report.making'),
    ready: t('org.report.ready'),
    file: t('org.report.file'),
  });
  const named = pdfButton({
    token,
    path: '/api/report.pdf?names=1',
    label: t('org.report.pdfNames'),
    making: t('org.report.making'),
    ready: t('org.report.ready'),
    file: t('org.report.fileNames'),
  });
  plain.button.classList.add('js-org-report');
  named.button.classList.add('js-org-report-names');
  const el = section('org-report', t('org.report.title'), [
    h('p', { class: 'sp-section-intro', text: t('org.report.intro') }),
    h('p', { class: 'sp-actions' }, plain.button, ' ', named.button),
    plain.status.el,
    named.status.el,
  ]);
  return { el, refresh: () => {} };
}

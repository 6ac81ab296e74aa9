/**
 * Entry of the bundle: mounts the task app into the page's #app element (src/static/index.html).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { TaskApp } from './task-app.js';

const container = document.getElementById('app');
if (container === null) throw new Error('the task page has no element with id "app" to render into');
createRoot(container).render(
  <StrictMode>
    <TaskApp />
  </StrictMode>,
);

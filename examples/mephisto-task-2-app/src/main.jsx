/* The bundle's entry: renders the task into #app (the element Mephisto's task pages provide). */
import { createRoot } from 'react-dom/client';
import { TaskApp } from './task-app.jsx';

function appElement() {
  const existing = document.getElementById('app');
  if (existing) return existing;
  const created = document.createElement('div');
  created.id = 'app';
  document.body.appendChild(created);
  return created;
}

createRoot(appElement()).render(<TaskApp />);

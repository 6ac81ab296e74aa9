/**
 * The wire format shared by the browser and the server. Types and constants only: importing it pulls
 * in no browser API and no server code (`@mephisto-ts/task-client/wire`).
 */
export * from './http.js';
export * from './packet.js';

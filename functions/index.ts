/** Entry point of the Functions app (package.json `main`): loading a module registers its functions. */
import './http';
import './timers';
import './orchestrations';
import './lifecycle';

import { createApp } from 'vue';
import AppRoot from './AppRoot.vue';
import { createAppRouter } from './router';
import './styles.css';

const app = createApp(AppRoot);
app.use(createAppRouter());
app.mount('#app');

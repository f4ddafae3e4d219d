import { describeStoreContract } from '../../../test/support/store-contract';
import { MemoryResumeStore } from './memory-store';

describeStoreContract('MemoryResumeStore', () => new MemoryResumeStore());
